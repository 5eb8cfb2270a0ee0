using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

/// <summary>traces/failnth: the call sequences of 6.12 <c>iommufd_fail_nth.c</c> without mock domains,
/// replayed plainly (FailNthSequenceTests) and under fault injection (docs/fail-nth.md).</summary>
public sealed class FailNthTraces : TraceCatalogue
{
    /// <inheritdoc />
    public override string Folder => "failnth";

    /// <inheritdoc />
    public override IEnumerable<Trace> Traces() =>
        [Basic(), MapFixedUnmap(), CopyBetween(), AllowIovas(), VfioCompat(), AccessRw(), AccessPin()];

    private Trace Basic()
    {
        TraceBuilder t = New("basic");
        TraceBuffer a = t.Alloc("a", 16 * Page);
        TraceBuffer r = t.Alloc("r", 10 * 16);
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.IoasIovaRanges("ranges", ioas, 10, r.At(0));
        t.Write(r, 0, Ranges((16 * 1024, 16 * Page + 16 * 1024 * 600 - 1)));
        t.IoasAllowIovas("allow", ioas, 1, r.At(0));
        StepHandle map = t.IoasMap("map", ioas, a.At(0), 16 * Page);
        // src_iova before length, as iommufd_fail_nth.c sets them.
        t.Ioctl("copy", nameof(Iommufd.IOMMU_IOAS_COPY), new Args
        {
            ["flags"] = Rw, ["dst_ioas_id"] = ioas, ["src_ioas_id"] = ioas, ["src_iova"] = map.Out("iova"), ["length"] = 160,
        });
        t.IoasUnmap("unmap", ioas, map.Out("iova"), 16 * Page);
        t.IoasUnmap("unmap_again", ioas, map.Out("iova"), 16 * Page);
        return t.Build();
    }

    private Trace MapFixedUnmap()
    {
        TraceBuilder t = New("map-fixed-unmap");
        TraceBuffer a = t.Alloc("a", 16 * Page);
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.IoasMapFixed("map_fixed", ioas, a.At(0), 16 * Page, 0x10000);
        t.IoasMapFixed("map_fixed_readonly", ioas, a.At(0), 4 * Page, 0x40000, flags: FixedRo);
        t.IoasMap("map_auto", ioas, a.AtHex(0x4000), 2 * Page);
        t.IoasUnmap("unmap", ioas, 0x10000, 16 * Page);
        t.IoasMapFixed("map_again", ioas, a.At(0), Page, 0x10000);
        t.IoasUnmap("unmap_part_of_area", ioas, 0x40000, Page);
        return t.Build();
    }

    private Trace CopyBetween()
    {
        TraceBuilder t = New("copy-between");
        TraceBuffer a = t.Alloc("a", 8 * Page);
        IoasHandle src = t.IoasAlloc("src");
        IoasHandle dst = t.IoasAlloc("dst");
        t.IoasMapFixed("map", src, a.At(0), 8 * Page, 0x20000);
        Copy(t, "copy_fixed", FixedRw, dst, src, 0x20000, 0x80000, 8 * Page);
        Copy(t, "copy_auto", Rw, dst, src, 0x24000, null, 2 * Page);
        Copy(t, "copy_within", FixedRw, src, src, 0x20000, 0x60000, Page);
        t.IoasUnmap("unmap_all", src, 0, U64Max);
        t.Destroy("destroy_src", src);
        IoasHandle fresh = t.IoasAlloc("new");
        Copy(t, "copy_from_copy", FixedRw, fresh, dst, 0x80000, 0x10000, 4 * Page);
        return t.Build();
    }

    // IOMMU_IOAS_COPY with src_iova, dst_iova, then length, as iommufd_fail_nth.c sets them.
    private static void Copy(TraceBuilder t, string label, uint flags, IoasHandle dst, IoasHandle src, ulong srcIova, ulong? dstIova, ulong length) =>
        t.Ioctl(label, nameof(Iommufd.IOMMU_IOAS_COPY), new Args { ["flags"] = flags, ["dst_ioas_id"] = dst, ["src_ioas_id"] = src, ["src_iova"] = srcIova }
            .With("dst_iova", dstIova).With("length", length));

    private Trace AllowIovas()
    {
        TraceBuilder t = New("allow-iovas");
        TraceBuffer a = t.Alloc("a", 32 * Page);
        TraceBuffer r = t.Alloc("r", 64);
        TraceBuffer q = t.Alloc("q", 64);
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.Write(r, 0, Ranges((0x10000, 0x3ffff), (0x80000, 0xfffff)));
        t.IoasAllowIovas("allow_two", ioas, 2, r.At(0));
        t.IoasIovaRanges("ranges_two", ioas, 4, q.At(0));
        t.IoasMap("map_auto_first", ioas, a.At(0), 16 * Page);
        t.IoasMap("map_auto_second", ioas, a.At(0), 32 * Page);
        t.Write(r, 0, Ranges((0x80000, 0xfffff)));
        t.IoasAllowIovas("allow_excluding_a_mapping", ioas, 1, r.At(0));
        t.IoasAllowIovas("allow_everything", ioas, 0, r.At(0));
        t.IoasIovaRanges("ranges_all", ioas, 4, q.At(0));
        t.Read("ranges_read", q, 0, 64);
        return t.Build();
    }

    private Trace VfioCompat()
    {
        TraceBuilder t = New("vfio-compat");
        TraceBuffer a = t.Alloc("a", 16 * Page);
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.VfioIoas("set_compat", Iommufd.IOMMU_VFIO_IOAS_SET, ioas);
        t.VfioSetIommu("set_iommu_v2", Vfio.VFIO_TYPE1v2_IOMMU);
        t.VfioIommuGetInfo("info_with_caps", tail: Filled(56));
        t.VfioIommuMapDma("map", DmaRw, a.At(0), 0x40000, 16 * Page);
        t.VfioIommuMapDma("map_readonly", Vfio.VFIO_DMA_MAP_FLAG_READ, a.At(0), 0x80000, 4 * Page);
        t.VfioIommuUnmapDma("unmap", 0x40000, 16 * Page);
        t.VfioIommuMapDma("map_again", DmaRw, a.AtHex(0x8000), 0xc0000, 2 * Page);
        return t.Build();
    }

    // basic_fail_nth.access_rw: the sweep arms every ioctl, the set-up's included.
    private Trace AccessRw()
    {
        TraceBuilder t = New("access-rw");
        TraceBuffer b = t.Alloc("b", 64 * Page);
        TraceBuffer scratch = t.Alloc("t", 64);
        TraceBuffer big = t.Alloc("big", 8 * Page);
        t.Write(b, 0, Pattern(64, 1));
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.TestMemoryLimit("memory_limit", 32);
        StepHandle map = t.IoasMap("map", ioas, b.At(0), 64 * Page);
        TraceFd access = t.TestCreateAccess("create_access", ioas, 0).Fd;
        TraceValue iova = map.Out("iova");
        t.TestAccessRw("read", access, iova, 64, scratch.At(0), 0);
        t.TestAccessRw("write", access, iova, 64, scratch.At(0), IommufdTest.MOCK_ACCESS_RW_WRITE);
        t.TestAccessRw("slow_read", access, iova, 64, scratch.At(0), IommufdTest.MOCK_ACCESS_RW_SLOW_PATH);
        t.TestAccessRw("slow_write", access, iova, 64, scratch.At(0), IommufdTest.MOCK_ACCESS_RW_SLOW_PATH | IommufdTest.MOCK_ACCESS_RW_WRITE);
        t.TestAccessRw("slow_read_big", access, iova, 8 * Page, big.At(0), IommufdTest.MOCK_ACCESS_RW_SLOW_PATH);
        t.Read("big_read", big, 0, 64);
        t.Close("destroy_access", access);
        t.TestMemoryLimit("memory_limit_default", DefaultMemoryLimit);
        return t.Build();
    }

    // basic_fail_nth.access_pin, with the ACCESS_PAGES the selftest means (it issues ACCESS_RW with the
    // access_pages struct), then an unmap that must ask the access to unpin.
    private Trace AccessPin()
    {
        TraceBuilder t = New("access-pin");
        TraceBuffer b = t.Alloc("b", 16 * Page);
        t.Touch(b, 16);
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.TestMemoryLimit("memory_limit", 32);
        StepHandle map = t.IoasMap("map", ioas, b.At(0), 16 * Page);
        TraceFd access = t.TestCreateAccess("create_access", ioas, IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES).Fd;
        AccessPagesHandle pin = t.TestAccessPages("pin", access, map.Out("iova"), 16 * Page, b.At(0), 0);
        t.TestDestroyAccessPages("unpin", access, pin.PagesId);
        t.TestAccessPages("pin_again", access, map.Out("iova"), 4 * Page, b.At(0), 0);
        t.IoasUnmap("unmap_notifies", ioas, map.Out("iova"), 16 * Page);
        t.Close("destroy_access", access);
        t.TestMemoryLimit("memory_limit_default", DefaultMemoryLimit);
        return t.Build();
    }
}
