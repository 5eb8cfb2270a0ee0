using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// The 6.12 fixture iommufd_dirty_tracking (DirtyTrackingTests): an IOAS with one mock device (its automatic
// HWPT), a buffer and a bitmap with room for an unaligned start; the buffer is not touched, as in the
// selftest (pinning faults the pages in). The *_huge variants map MAP_HUGETLB | MAP_POPULATE memory and
// give the fixture's device MOCK_FLAGS_DEVICE_HUGE_IOVA, so its domains map 1 MiB IO pages over the huge pages.
public sealed partial class MockDomainTraces
{
    private static readonly (string Name, ulong Size)[] DirtyVariants =
    [
        ("8k", 8UL << 10), ("16k", 16UL << 10), ("64k", 64UL << 10), ("128k", 128UL << 10), ("320k", 320UL << 10),
        ("64M", 64UL << 20), ("128M", 128UL << 20), ("64M-huge", 64UL << 20), ("128M-huge", 128UL << 20),
    ];

    /// <summary>enforce_dirty, set_dirty_tracking and device_dirty_capability do not use the fixture's buffer, so
    /// every non-hugepage variant runs the same calls: one trace each; the two huge variants differ from them
    /// only in the fixture (a 64 MiB hugetlb buffer, a HUGE_IOVA device): one "-huge" trace each.</summary>
    private static readonly (string Suffix, ulong Size, bool Huge)[] DirtyFixtures = [("", 8UL << 10, false), ("-huge", 64UL << 20, true)];

    /// <summary>MOCK_HUGE_PAGE_SIZE: the 1 MiB IO page of a HUGE_IOVA domain.</summary>
    private const ulong MockHugePage = 512 * MockPage;

    private const uint NoClear = Iommufd.IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;

    private IEnumerable<Trace> DirtyTraces() =>
    [
        .. DirtyVariants.SelectMany(v => new[] { DirtyGetBitmap(v.Name, v.Size, 0), DirtyGetBitmap(v.Name, v.Size, NoClear) }),
        .. DirtyFixtures.SelectMany(f => new[]
        {
            DirtyEnforce(f.Suffix, f.Size, f.Huge), DirtySetTracking(f.Suffix, f.Size, f.Huge), DirtyDeviceCapability(f.Suffix, f.Size, f.Huge),
        }),
    ];

    /// <summary>The fixture: buffer "buf", bitmap "bm" (one bit per 2 KiB of the buffer, and a page more), an
    /// IOAS and its mock device.</summary>
    private DirtySetUp DirtyFixture(string name, ulong bufferSize, bool huge)
    {
        TraceBuilder t = New(name, huge ? Before73 : null);
        ulong bits = bufferSize / MockPage;
        TraceBuffer buf = huge ? t.AllocHugetlb("buf", Math.Max(bufferSize, HugePage)) : t.Alloc("buf", bufferSize);
        TraceBuffer bm = t.Alloc("bm", (bits + 7) / 8 + Page);
        IoasHandle ioas = t.IoasAlloc("ioas");
        MockDomainHandle device = huge ? t.TestMockDomainFlags("mock_domain", ioas, HugeIova) : t.TestMockDomain("mock_domain", ioas);
        return new(t, buf, bm, ioas, device, bits);
    }

    private readonly record struct DirtySetUp(TraceBuilder T, TraceBuffer Buf, TraceBuffer Bm, IoasHandle Ioas, MockDomainHandle Device, ulong Bits);

    /// <summary>SET_DIRTY_TRACKING on (ENABLE) or off.</summary>
    private static StepHandle SetDirty(TraceBuilder t, string label, TraceValue hwpt, bool enable) =>
        t.HwptSetDirtyTracking(label, enable ? Iommufd.IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0u, hwpt);

    /// <summary>GET_DIRTY_BITMAP as the selftests call it: flags always written.</summary>
    private static StepHandle GetDirty(TraceBuilder t, string label, TraceValue hwpt, TraceValue iova, TraceValue length, TraceValue pageSize,
                                       TraceValue data, uint flags = 0, Args? extra = null) =>
        t.HwptGetDirtyBitmap(label, hwpt, flags, iova, length, pageSize, data, extra);

    /// <summary>A bitmap of <paramref name="count"/> bits with every <paramref name="every"/>-th set from <paramref name="first"/>.</summary>
    private static byte[] Bits(ulong count, ulong every = 1, ulong first = 0)
    {
        var bytes = new byte[(count + 7) / 8];
        for (ulong i = first; i < count; i += every)
            bytes[i / 8] |= (byte)(1 << (int)(i % 8));
        return bytes;
    }

    // _test_mock_dirty_bitmaps with page_size MOCK_PAGE_SIZE and the given pte size: the first bit of every
    // 2 * pte / page_size is marked (every even bit for 2 KiB ptes, every 1024th for 1 MiB ones); the kernel
    // reports each marked pte whole.
    private static void MockDirtyBitmaps(TraceBuilder t, TraceBuffer bm, string tag, TraceValue hwpt, ulong length, ulong offset, ulong bits,
                                         uint flags, ulong pte)
    {
        int size = (int)((bits + 7) / 8);
        t.Write(bm, offset, Bits(bits, 2 * pte / MockPage));
        t.TestDirty($"{tag}_mark", hwpt, Base, length, MockPage, bm.AtHex(offset));
        t.Write(bm, offset, new byte[size]);
        GetDirty(t, $"{tag}_get", hwpt, Base, length, MockPage, bm.AtHex(offset), flags);
        t.Read($"{tag}_bits", bm, offset, size);
        t.Write(bm, offset, new byte[size]);
        GetDirty(t, $"{tag}_get_again", hwpt, Base, length, MockPage, bm.AtHex(offset), flags);
        t.Read($"{tag}_bits_again", bm, offset, size);
    }

    private Trace DirtyGetBitmap(string variant, ulong size, uint flags)
    {
        bool huge = variant.EndsWith("-huge", StringComparison.Ordinal);
        (TraceBuilder t, TraceBuffer buf, TraceBuffer bm, _, MockDomainHandle m, ulong bits) =
            DirtyFixture((flags != 0 ? "dirty-get-bitmap-no-clear-" : "dirty-get-bitmap-") + variant, size, huge);
        IoasHandle ioas2 = t.IoasAlloc("ioas2");
        if (!huge)
        {
            // As 7.3's fixture: IO pages of PAGE_SIZE, whatever the physical layout (7.3's mock table maps a
            // physically contiguous run with leaves as large as its alignment allows, and reports them whole).
            t.Option("small_pages", Iommufd.IOMMU_OPTION_HUGE_PAGES, Iommufd.IOMMU_OPTION_OP_SET, ioas2, 0);
        }
        t.IoasMapFixed("map", ioas2, buf.At(0), size, Base);
        HwptHandle hwpt = HwptAlloc(t, "hwpt_dirty", m.IdevId, ioas2, flags: DirtyTracking);
        SetDirty(t, "enable", hwpt, enable: true);
        ulong pte = huge ? MockHugePage : MockPage;
        MockDirtyBitmaps(t, bm, "aligned", hwpt, size, 0, bits, flags, pte);
        MockDirtyBitmaps(t, bm, "page_unaligned", hwpt, size, MockPage, bits, flags, pte);
        MockDirtyBitmaps(t, bm, "u64_unaligned", hwpt, size, 0xff1, bits, flags, pte);
        t.Destroy("destroy_hwpt", hwpt);
        return t.Build();
    }

    private Trace DirtyEnforce(string suffix, ulong size, bool huge)
    {
        (TraceBuilder t, _, _, IoasHandle ioas, MockDomainHandle m, _) = DirtyFixture("dirty-enforce" + suffix, size, huge);
        HwptHandle hwpt = HwptAlloc(t, "hwpt_dirty", m.IdevId, ioas, flags: DirtyTracking);
        MockDomainHandle capable = t.TestMockDomain("capable_device", hwpt);
        t.TestMockDomainFlags("no_dirty_device", hwpt, NoDirty);
        t.Destroy("destroy_stdev", capable.StdevId);
        t.Destroy("destroy_hwpt", hwpt);
        IoasHandle ioas2 = t.IoasAlloc("ioas2");
        MockDomainHandle noDirty = t.TestMockDomainFlags("no_dirty_on_ioas2", ioas2, NoDirty);
        HwptAlloc(t, "dirty_hwpt_for_no_dirty", noDirty.IdevId, ioas2, flags: DirtyTracking);
        t.Destroy("destroy_no_dirty", noDirty.StdevId);
        return t.Build();
    }

    private Trace DirtySetTracking(string suffix, ulong size, bool huge)
    {
        (TraceBuilder t, _, _, IoasHandle ioas, MockDomainHandle m, _) = DirtyFixture("dirty-set-tracking" + suffix, size, huge);
        HwptHandle hwpt = HwptAlloc(t, "hwpt_dirty", m.IdevId, ioas, flags: DirtyTracking);
        MockDomainHandle attached = t.TestMockDomain("attach", hwpt);
        SetDirty(t, "enable", hwpt, enable: true);
        SetDirty(t, "disable", hwpt, enable: false);
        t.Destroy("destroy_stdev", attached.StdevId);
        t.Destroy("destroy_hwpt", hwpt);
        return t.Build();
    }

    private Trace DirtyDeviceCapability(string suffix, ulong size, bool huge)
    {
        (TraceBuilder t, _, _, IoasHandle ioas, MockDomainHandle m, _) = DirtyFixture("dirty-device-capability" + suffix, size, huge);
        TraceBuffer h = t.Alloc("h", Page);
        HwptHandle hwpt = HwptAlloc(t, "hwpt_plain", m.IdevId, ioas);
        MockDomainHandle attached = t.TestMockDomain("attach", hwpt);
        t.GetHwInfo("hw_info", m.IdevId, 8, h.At(0));
        t.Destroy("destroy_stdev", attached.StdevId);
        t.Destroy("destroy_hwpt", hwpt);
        return t.Build();
    }
}
