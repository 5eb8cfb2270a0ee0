using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// The 6.12 fixture iommufd_ioas under its mock-domain variants (IoasMockVariantTests), one trace
// mockdomain/ioas-<case>-<variant> per case (named as in selftest/) and variant, set up and torn down by
// IoasMockVariant. The access cases are in MockDomainTraces.IoasVariantAccess.cs.
public sealed partial class MockDomainTraces
{
    private IEnumerable<Trace> IoasVariantTraces()
    {
        (string Case, Action<IoasVariantFixture> Body, string Buffer)[] cases =
        [
            ("auto-destroy", _ => { }, "a"), // the teardown's close frees the IOAS, its HWPTs and devices
            ("destroy", fx => fx.T.Destroy("destroy", fx.Ioas), "a"),
            ("area-destroy", VariantAreaDestroy, "a"),
            ("area-auto-destroy", VariantAreaAutoDestroy, "a"),
            ("hwpt-attach", fx => fx.T.TestMockDomain("attach_to_hwpt", fx.Device.HwptId), "a"),
            ("area", fx => SelftestTraces.AreaBody(fx.T, fx.Buffer, fx.Ioas, Base), "a"),
            ("unmap-fully-contained-areas", VariantUnmapFullyContained, "a"),
            ("area-auto-iova", VariantAreaAutoIova, "a"),
            ("area-allowed", VariantAreaAllowed, "a"),
            ("copy-area", VariantCopyArea, "a"),
            ("iova-ranges", VariantIovaRanges, "a"),
            ("option-huge-pages", VariantOptionHugePages, "a"),
            ("copy-sweep", VariantCopySweep, "a"),
            ("get-hw-info", VariantGetHwInfo, "a"),
            ("alloc-hwpt-nested", VariantAllocHwptNested, "a"),
            ("access-domain-destroy", VariantAccessDomainDestroy, "a"),
            ("access-domain-destroy-hugetlb", VariantAccessDomainDestroyHugetlb, "a"),
            ("access-pin", VariantAccessPin, "a"),
            ("access-pin-unmap", VariantAccessPinUnmap, "a"),
            ("access-rw", fx => VariantAccessRw(fx, Base, fixedIova: false), "b"),
            ("access-rw-unaligned", fx => VariantAccessRw(fx, Base + MockPage, fixedIova: true), "b"),
        ];
        return cases.SelectMany(c => IoasMockVariant.All.Select(v => v.Build($"{Folder}/ioas-{c.Case}-{v.Name}", c.Buffer, c.Body)));
    }

    private static void VariantAreaDestroy(IoasVariantFixture fx)
    {
        fx.T.IoasMapFixed("map", fx.Ioas, fx.Buffer.At(0), Page, Base);
        fx.T.Destroy("destroy", fx.Ioas);
    }

    private static void VariantAreaAutoDestroy(IoasVariantFixture fx)
    {
        for (int k = 0; k < 10; k++)
            fx.T.IoasMapFixed($"map{k}", fx.Ioas, fx.Buffer.At(0), Page, Base + (ulong)k * Page);
    }

    private static void VariantUnmapFullyContained(IoasVariantFixture fx)
    {
        (TraceBuilder t, IoasHandle ioas) = (fx.T, fx.Ioas);
        const ulong Start = Base + 4 * Page;
        for (int k = 0; k < 4; k++)
            t.IoasMapFixed($"map{k}", ioas, fx.Buffer.At(0), 8 * Page, Start + (ulong)k * 16 * Page);
        t.IoasUnmap("cut_first", ioas, Start - 4 * Page, 8 * Page);
        t.IoasUnmap("cut_last", ioas, Start + 3 * 16 * Page + 8 * Page - 4 * Page, 8 * Page);
        t.IoasUnmap("superset", ioas, Start - 4 * Page, 3 * 16 * Page + 8 * Page + 4 * Page);
    }

    /// <summary>Ten automatic maps of 1..10 pages (or one page each), labelled <paramref name="prefix"/>k, then their unmaps
    /// <paramref name="prefix"/>_unmapk.</summary>
    private static void AutomaticMaps(TraceBuilder t, IoasHandle ioas, TraceBuffer buffer, string prefix, bool growing = true)
    {
        StepHandle[] maps = Enumerable.Range(0, 10)
            .Select(k => t.IoasMap($"{prefix}{k}", ioas, buffer.At(0), growing ? Page * (ulong)(k + 1) : Page)).ToArray();
        for (int k = 0; k < 10; k++)
            t.IoasUnmap($"{prefix}_unmap{k}", ioas, maps[k].Out("iova"), growing ? Page * (ulong)(k + 1) : Page);
    }

    private static void VariantAreaAutoIova(IoasVariantFixture fx)
    {
        (TraceBuilder t, IoasHandle ioas) = (fx.T, fx.Ioas);
        TraceBuffer r = t.Alloc("r", Page);
        AutomaticMaps(t, ioas, fx.Buffer, "simple", growing: false);
        // With a device the selftest maps its buffer (without one, the never-touched VA 1 << 31).
        AutomaticMaps(t, ioas, fx.Buffer, "aligned");
        t.TestAddReserved("add_reserved", ioas, Page * 4, Page * 100);
        AutomaticMaps(t, ioas, fx.Buffer, "reserved");
        AllowIovas(t, "allow_over_reserved", ioas, r, Page, Page * 600);
        AllowIovas(t, "allow", ioas, r, Base + Page, Base + Page * 600 - 1);
        AutomaticMaps(t, ioas, fx.Buffer, "allowed");
    }

    private static void VariantAreaAllowed(IoasVariantFixture fx)
    {
        (TraceBuilder t, IoasHandle ioas) = (fx.T, fx.Ioas);
        TraceBuffer r = t.Alloc("r", Page);
        AllowIovas(t, "allow", ioas, r, Base, Base + Page * 600);
        t.TestAddReserved("reserve_in_allowed", ioas, Base + Page, Page);
        AllowIovas(t, "clear", ioas, r, Base, Base + Page * 600, count: 0);
        t.TestAddReserved("reserve", ioas, Base + Page, Page);
        AllowIovas(t, "allow_over_reserved", ioas, r, Base, Base + Page * 600);
    }

    private static void VariantCopyArea(IoasVariantFixture fx)
    {
        (TraceBuilder t, IoasHandle ioas) = (fx.T, fx.Ioas);
        const uint FixedWriteable = Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_WRITEABLE;
        t.IoasMapFixed("map", ioas, fx.Buffer.At(0), Page, Base);
        t.IoasCopy("copy_inside", FixedWriteable, ioas, ioas, Page, Base, Base + Page);
        IoasHandle dst = t.IoasAlloc("dst");
        t.IoasCopy("copy_between", FixedWriteable, dst, ioas, Page, Base, 0);
        t.TestCheckMap("check_map", fx.Device.HwptId, Base, Page, fx.Buffer.At(0));
        t.TestCheckMap("check_map_copy", fx.Device.HwptId, Base + Page, Page, fx.Buffer.At(0)); // the same page at both IOVAs
    }

    // The ranges land in the selftest's buffer itself, BUFFER_SIZE / 16 entries of room.
    private static void VariantIovaRanges(IoasVariantFixture fx)
    {
        (TraceBuilder t, IoasHandle ioas, TraceBuffer a) = (fx.T, fx.Ioas, fx.Buffer);
        const ulong Room = 16 * Page / 16;
        t.IoasIovaRanges("read_all", ioas, Room, a.At(0));
        t.Read("ranges_all", a, 0, 32);
        t.Write(a, 0, new byte[32]);
        t.IoasIovaRanges("too_small", ioas, 0, a.At(0));
        t.Read("ranges_too_small", a, 0, 32);
        t.TestAddReserved("add_reserved", ioas, Page, Page);
        t.IoasIovaRanges("read_with_reserved", ioas, Room, a.At(0));
        t.Read("ranges_with_reserved", a, 0, 32);
        t.Write(a, 0, new byte[32]);
        t.IoasIovaRanges("read_one", ioas, 1, a.At(0));
        t.Read("ranges_one", a, 0, 32);
    }

    private static void VariantOptionHugePages(IoasVariantFixture fx)
    {
        const uint HugePages = Iommufd.IOMMU_OPTION_HUGE_PAGES, Get = Iommufd.IOMMU_OPTION_OP_GET, Set = Iommufd.IOMMU_OPTION_OP_SET;
        (TraceBuilder t, IoasHandle ioas) = (fx.T, fx.Ioas);
        t.Option("get_default", HugePages, Get, ioas, 3);
        t.Option("set_0", HugePages, Set, ioas, 0);
        t.Option("get_0", HugePages, Get, ioas, 3);
        t.Option("set_2", HugePages, Set, ioas, 2);
        t.Option("set_1", HugePages, Set, ioas, 1);
        t.Option("get_1", HugePages, Get, ioas, 3);
    }

    // With a domain the whole buffer is mapped (2 KiB granular IOVAs); half-page copies from every 511th byte.
    private static void VariantCopySweep(IoasVariantFixture fx)
    {
        (TraceBuilder t, IoasHandle ioas) = (fx.T, fx.Ioas);
        IoasHandle dst = t.IoasAlloc("dst");
        const ulong Last = Base + 16 * Page - 1;
        t.IoasMapFixed("map", ioas, fx.Buffer.At(0), Last - Base + 1, Base);
        int k = 0;
        for (ulong iova = Base - Page; iova <= Last; iova += 511, k++)
        {
            t.IoasCopy($"copy{k}", Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_WRITEABLE, dst, ioas, Page / 2, iova, Base);
            if (!(iova < Base || iova + Page / 2 - 1 > Last))
                t.IoasUnmap($"unmap{k}", dst, Base, Page / 2);
        }
        t.Destroy("destroy_dst", dst);
    }

    // The self->device_id branch with 6.12's struct (no in_data_type: the selftest's wrong-type request is not
    // expressible, and its PASID device does not exist here): zero, exact, larger and smaller buffers.
    private static void VariantGetHwInfo(IoasVariantFixture fx)
    {
        TraceBuilder t = fx.T;
        TraceBuffer h = t.Alloc("h", Page);
        t.GetHwInfo("zero_size", fx.Device.IdevId, 0, 0);
        foreach ((int length, string label) in new[] { (8, "exact"), (16, "larger"), (4, "smaller") })
        {
            t.Write(h, 0, Enumerable.Repeat((byte)0xff, 32).ToArray());
            t.GetHwInfo(label, fx.Device.IdevId, length, h.At(0));
            t.Read($"{label}_bytes", h, 0, 32);
        }
    }

    private static void VariantAllocHwptNested(IoasVariantFixture fx) =>
        AllocHwptNestedBody(fx.T, NestedData(fx.T, fx.Buffer), fx.Ioas, fx.Device.IdevId, fx.Device.StdevId, fx.Device.HwptId);
}
