using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// Fixture iommufd_ioas in its no_domain variant, and the no_domain branches of the device tests.
public sealed partial class SelftestTraces
{
    // The selftest's copies ask for FIXED_IOVA | WRITEABLE.
    private const uint FixedWrite = Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_WRITEABLE;

    // access_domain_destory in the no_domain variant (no device to destroy): the MAP_HUGETLB buffer
    // mapped at base_iova, a one-page pin at its second page, released.
    private Trace AccessDomainDestroyHugetlb()
    {
        var (t, _, ioas) = IoasFixture("ioas-access-domain-destroy-hugetlb");
        TraceBuffer huge = t.AllocHugetlb("huge", 2 * HugePage);
        t.IoasMapFixed("map", ioas, huge.At(0), 2 * HugePage, FixtureBase);
        TraceFd access = t.TestCreateAccess("create_access", ioas, IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES).Fd;
        AccessPagesHandle pin = t.TestAccessPages("pin", access, FixtureBase + Page, Page, huge.At(4096), 0);
        t.TestDestroyAccessPages("unpin", access, pin.PagesId);
        t.Close("destroy_access", access);
        return t.Build();
    }

    private Trace AutoDestroy()
    {
        TraceBuilder t = New("ioas-auto-destroy");
        FdHandle open = t.Open("open");
        t.IoasAlloc("ioas", open.Fd);
        t.Close("close", open.Fd);
        t.IoasAlloc("ioas_fd0");
        return t.Build();
    }

    private Trace Destroy()
    {
        var (t, _, ioas) = IoasFixture("ioas-destroy");
        t.Destroy("destroy", ioas);
        t.Destroy("destroy_again", ioas);
        return t.Build();
    }

    private Trace AreaDestroy()
    {
        var (t, a, ioas) = IoasFixture("ioas-area-destroy");
        t.IoasMapFixed("map", ioas, a.At(0), Page, FixtureBase);
        t.Destroy("destroy", ioas);
        return t.Build();
    }

    private Trace AreaAutoDestroy()
    {
        TraceBuilder t = New("ioas-area-auto-destroy");
        TraceBuffer a = t.Alloc("a", 16 * Page);
        FdHandle open = t.Open("open");
        IoasHandle ioas = t.IoasAlloc("ioas", open.Fd);
        for (ulong k = 0; k < 10; k++)
            t.IoasMapFixed($"map{k}", ioas, a.At(0), Page, FixtureBase + k * Page, fd: open.Fd);
        t.Close("close", open.Fd);
        return t.Build();
    }

    private Trace Area()
    {
        var (t, a, ioas) = IoasFixture("ioas-area");
        AreaBody(t, a, ioas, FixtureBase);
        return t.Build();
    }

    /// <summary>The area case on an IOAS whose buffer is <paramref name="a"/>, from the fixture's base IOVA
    /// <paramref name="b"/> (the mock-domain variants run it too).</summary>
    internal static void AreaBody(TraceBuilder t, TraceBuffer a, IoasHandle ioas, ulong b)
    {
        for (ulong k = 0; k < 10; k++)
            t.IoasUnmap($"unmap_nothing{k}", ioas, k * Page, Page);
        for (ulong k = 0; k < 10; k++)
            t.IoasMapFixed($"map{k}", ioas, a.At(0), Page, b + k * Page);
        for (ulong k = 0; k < 10; k++)
            t.IoasUnmap($"unmap{k}", ioas, b + k * Page, Page);
        t.IoasMapFixed("map_two_pages", ioas, a.At(0), 2 * Page, b + 16 * Page);
        t.IoasUnmap("split_first", ioas, b + 16 * Page, Page);
        t.IoasUnmap("split_second", ioas, b + 17 * Page, Page);
        t.IoasMapFixed("over_same", ioas, a.At(0), 2 * Page, b + 16 * Page);
        t.IoasMapFixed("over_first", ioas, a.At(0), Page, b + 16 * Page);
        t.IoasMapFixed("over_second", ioas, a.At(0), Page, b + 17 * Page);
        t.IoasMapFixed("over_start", ioas, a.At(0), 2 * Page, b + 15 * Page);
        t.IoasMapFixed("over_around", ioas, a.At(0), 3 * Page, b + 15 * Page);
        t.IoasUnmap("unmap_all", ioas, 0, U64Max);
        t.IoasUnmap("unmap_all_empty", ioas, 0, U64Max);
    }

    private Trace UnmapFullyContained()
    {
        var (t, a, ioas) = IoasFixture("ioas-unmap-fully-contained-areas");
        const ulong b = FixtureBase + 4 * Page; // "give no_domain some space to rewind base_iova"
        for (ulong k = 0; k < 4; k++)
            t.IoasMapFixed($"map{k}", ioas, a.At(0), 8 * Page, b + k * 16 * Page);
        t.IoasUnmap("cut_first", ioas, b - 4 * Page, 8 * Page);
        t.IoasUnmap("cut_last", ioas, b + 3 * 16 * Page + 8 * Page - 4 * Page, 8 * Page);
        t.IoasUnmap("superset", ioas, b - 4 * Page, 3 * 16 * Page + 8 * Page + 4 * Page);
        return t.Build();
    }

    private Trace AreaAutoIova()
    {
        var (t, a, ioas) = IoasFixture("ioas-area-auto-iova");
        var simple = Enumerable.Range(0, 10).Select(k => t.IoasMap($"simple{k}", ioas, a.At(0), Page)).ToList();
        for (int k = 0; k < 10; k++)
            t.IoasUnmap($"simple_unmap{k}", ioas, simple[k].Out("iova"), Page);
        var aligned = Enumerable.Range(0, 10).Select(k => t.IoasMap($"aligned{k}", ioas, 1UL << 31, Page * (ulong)(k + 1))).ToList();
        for (int k = 0; k < 10; k++)
            t.IoasUnmap($"aligned_unmap{k}", ioas, aligned[k].Out("iova"), Page * (ulong)(k + 1));
        TraceBuffer r = t.Alloc("r", Page);
        t.Write(r, 0, Ranges((Page * 200, Page * 600 - 1)));
        t.IoasAllowIovas("allow", ioas, 1, r.At(0));
        var allowed = Enumerable.Range(0, 10).Select(k => t.IoasMap($"allowed{k}", ioas, a.At(0), Page * (ulong)(k + 1))).ToList();
        for (int k = 0; k < 10; k++)
            t.IoasUnmap($"allowed_unmap{k}", ioas, allowed[k].Out("iova"), Page * (ulong)(k + 1));
        return t.Build();
    }

    private Trace AreaAutoIovaReserved()
    {
        var (t, a, ioas) = IoasFixture("ioas-area-auto-iova-reserved");
        t.TestAddReserved("add_reserved", ioas, Page * 4, Page * 100);
        var maps = Enumerable.Range(0, 10).Select(k => t.IoasMap($"map{k}", ioas, a.At(0), Page * (ulong)(k + 1))).ToList();
        for (int k = 0; k < 10; k++)
            t.IoasUnmap($"unmap{k}", ioas, maps[k].Out("iova"), Page * (ulong)(k + 1));
        TraceBuffer r = t.Alloc("r", Page);
        t.Write(r, 0, Ranges((Page, Page * 600)));
        t.IoasAllowIovas("allow_over_reserved", ioas, 1, r.At(0));
        return t.Build();
    }

    // 7.3's reserved_overflow: a reservation up to 0xffffffffffff8006 leaves a last free span of 0x7ff9
    // bytes below the top page. With THP an automatic IOVA of 0x5000 bytes from a huge-page aligned
    // address is aligned to 0x8000, which wraps past the top (ENOSPC); without THP it is aligned to
    // the page only and fits.
    private Trace ReservedOverflow()
    {
        var (t, _, ioas) = IoasFixture("ioas-reserved-overflow");
        TraceBuffer huge = t.AllocHugetlb("huge", HugePage);
        t.TestAddReserved("add_reserved", ioas, 6, 0xffff_ffff_ffff_8001);
        t.IoasMap("map", ioas, huge.At(0), 0x5000);
        return t.Build();
    }

    private Trace AreaAllowed()
    {
        var (t, _, ioas) = IoasFixture("ioas-area-allowed");
        TraceBuffer r = t.Alloc("r", Page);
        t.Write(r, 0, Ranges((FixtureBase, FixtureBase + Page * 600)));
        t.IoasAllowIovas("allow", ioas, 1, r.At(0));
        t.TestAddReserved("reserve_in_allowed", ioas, FixtureBase + Page, Page);
        t.IoasAllowIovas("clear", ioas, 0, r.At(0));
        t.TestAddReserved("reserve", ioas, FixtureBase + Page, Page);
        t.IoasAllowIovas("allow_over_reserved", ioas, 1, r.At(0));
        return t.Build();
    }

    private Trace CopyArea()
    {
        var (t, a, ioas) = IoasFixture("ioas-copy-area");
        t.IoasMapFixed("map", ioas, a.At(0), Page, FixtureBase);
        t.IoasCopy("copy_inside", FixedWrite, ioas, ioas, Page, FixtureBase, FixtureBase + Page);
        IoasHandle dst = t.IoasAlloc("dst");
        t.IoasCopy("copy_between", FixedWrite, dst, ioas, Page, FixtureBase, 0);
        return t.Build();
    }

    private Trace IovaRanges() => IovaRangesCase("ioas-iova-ranges", reserved: false);

    private Trace IovaRangesReserved() => IovaRangesCase("ioas-iova-ranges-reserved", reserved: true);

    // IOVA_RANGES with room for all ranges, read back, then with one range too few (EMSGSIZE: the count is
    // written back); with a reserved page the IOAS has two ranges.
    private Trace IovaRangesCase(string name, bool reserved)
    {
        var (t, a, ioas) = IoasFixture(name);
        if (reserved)
            t.TestAddReserved("add_reserved", ioas, Page, Page);
        string all = reserved ? "two" : "all";
        t.IoasIovaRanges($"read_{all}", ioas, 16 * Page / 16, a.At(0));
        t.Read($"ranges_{all}", a, 0, 32);
        t.Write(a, 0, new byte[32]);
        t.IoasIovaRanges("too_small", ioas, reserved ? 1 : 0, a.At(0));
        t.Read("ranges_too_small", a, 0, 32);
        return t.Build();
    }

    private Trace OptionHugePages()
    {
        var (t, _, ioas) = IoasFixture("ioas-option-huge-pages");
        const uint huge = Iommufd.IOMMU_OPTION_HUGE_PAGES, set = Iommufd.IOMMU_OPTION_OP_SET, get = Iommufd.IOMMU_OPTION_OP_GET;
        t.Option("get_default", huge, get, ioas, 3);
        t.Option("set_0", huge, set, ioas, 0);
        t.Option("get_0", huge, get, ioas, 3);
        t.Option("set_2", huge, set, ioas, 2);
        t.Option("set_1", huge, set, ioas, 1);
        t.Option("get_1", huge, get, ioas, 3);
        return t.Build();
    }

    private Trace AlignChange()
    {
        var (t, a, ioas) = IoasFixture("ioas-align-change");
        StepHandle Huge(string label, uint on) => t.Option(label, Iommufd.IOMMU_OPTION_HUGE_PAGES, Iommufd.IOMMU_OPTION_OP_SET, ioas, on);
        t.IoasMapFixed("map", ioas, a.At(0), Page, Base);
        Huge("huge_off", 0);
        t.IoasMapFixed("misaligned_map", ioas, a.At(Page / 2), Page, Base + Page);
        Huge("huge_off_again", 0);
        Huge("huge_on", 1);
        t.IoasMapFixed("misaligned_map_ok", ioas, a.At(Page / 2), Page, Base + Page);
        Huge("huge_off_misaligned", 0);
        t.IoasUnmap("unmap_second", ioas, Base + Page, Page);
        t.IoasUnmap("unmap_first", ioas, Base, Page);
        return t.Build();
    }

    private Trace CopySweep()
    {
        var (t, a, ioas) = IoasFixture("ioas-copy-sweep");
        IoasHandle dst = t.IoasAlloc("dst");
        const ulong last = Base + 16 * Page - 2;
        t.IoasMapFixed("map", ioas, a.At(0), last - Base + 1, Base);
        int k = 0;
        for (ulong iova = Base - Page; iova <= last; iova += 511, k++)
        {
            t.IoasCopy($"copy{k}", FixedWrite, dst, ioas, Page / 2, iova, Base);
            if (!(iova < Base || iova + Page / 2 - 1 > last))
                t.IoasUnmap($"unmap{k}", dst, Base, Page / 2);
        }
        t.Destroy("destroy_dst", dst);
        return t.Build();
    }

    private Trace AllocHwptNestedNoDevice()
    {
        var (t, _, ioas) = IoasFixture("ioas-alloc-hwpt-nested-no-device");
        TraceBuffer d = t.Alloc("d", Page);
        t.Write(d, 0, BitConverter.GetBytes(IommufdTest.IOMMU_TEST_IOTLB_DEFAULT));
        t.HwptAlloc("parent", null, 0, ioas);
        for (int k = 0; k < 2; k++)
            t.HwptAlloc($"nested{k}", null, 0, 0, IommufdTest.IOMMU_HWPT_DATA_SELFTEST, 4, d.At(0));
        for (int k = 0; k < 2; k++)
            t.TestMockDomainReplace($"replace{k}", 0, 0);
        return t.Build();
    }

    private Trace HwptAttachNoDevice()
    {
        var (t, _, _) = IoasFixture("ioas-hwpt-attach-no-device");
        t.TestMockDomain("mock_domain_on_hwpt_0", 0);
        return t.Build();
    }

    private Trace GetHwInfoNoDevice()
    {
        var (t, _, _) = IoasFixture("ioas-get-hw-info-no-device");
        TraceBuffer h = t.Alloc("h", Page);
        t.GetHwInfo("exact", 0, 8, h.At(0));
        t.GetHwInfo("larger", 0, 16, h.At(0));
        return t.Build();
    }
}
