using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

/// <summary>traces/errno: beyond the selftests, the errno of each documented failure of each ioctl
/// (ErrnoTests); every case varies one field of a valid call.</summary>
public sealed class ErrnoTraces : TraceCatalogue
{
    /// <inheritdoc />
    public override string Folder => "errno";

    /// <inheritdoc />
    public override IEnumerable<Trace> Traces() =>
        [Map(), Unmap(), Copy(), IovaRanges(), AllowIovas(), Option(), Destroy(), VfioIoas(), HwptNoDevice()];

    private Trace Map()
    {
        var (t, a, ioas) = IoasFixture("map");
        // A valid automatic map of one page, one field changed.
        StepHandle M(string label, TraceValue? flags = null, TraceValue? ioasId = null, TraceValue? userVa = null,
                     TraceValue? length = null, TraceValue? iova = null, Args? extra = null) =>
            iova is { } at
                ? t.IoasMapFixed(label, ioasId ?? ioas.Id, userVa ?? a.At(0), length ?? Page, at, flags ?? Rw)
                : t.IoasMap(label, ioasId ?? ioas.Id, userVa ?? a.At(0), length ?? Page, flags ?? Rw, extra);
        M("unknown_flag", flags: Rw | 8);
        M("reserved", extra: new Args { ["__reserved"] = 1 });
        M("iova_u64max", iova: U64Max);
        M("length_u64max", length: U64Max);
        M("no_permission", flags: 0);
        M("fixed_only", flags: Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA, iova: Base);
        M("no_ioas", ioasId: 99);
        M("length_0", length: 0);
        M("user_va_overflow", userVa: U64Max - Page + 1, length: 2 * Page);
        M("length_near_max", length: U64Max - 1);
        M("fixed_iova_0", flags: FixedRw, iova: 0);
        M("fixed_overlap", flags: FixedRw, iova: 0);
        M("fixed_iova_overflow", flags: FixedRw, iova: U64Max - Page + 1, length: 2 * Page);
        M("auto_read_only", flags: Iommufd.IOMMU_IOAS_MAP_READABLE);
        M("auto_sub_page", userVa: a.At(1), length: 100);
        M("auto_write_only", flags: Iommufd.IOMMU_IOAS_MAP_WRITEABLE);
        HugePagesOff(t, "huge_off_misaligned_area", ioas);
        t.IoasUnmap("unmap_sub_page", ioas, 0x2001, 100);
        HugePagesOff(t, "huge_off", ioas);
        M("length_not_page_multiple", length: 100);
        M("fixed_misaligned", flags: FixedRw, iova: Base + 0x800);
        M("user_va_sub_page", userVa: a.At(2048));
        TraceBuffer r = t.Alloc("r", Page);
        t.Write(r, 0, Ranges((0x100000, 0x100FFF)));
        t.IoasAllowIovas("allow_one_page", ioas, 1, r.At(0));
        M("no_space", length: 2 * Page);
        M("fits_allowed");
        M("fixed_outside_allowed", flags: FixedRw, iova: Base);
        return t.Build();
    }

    private static void HugePagesOff(TraceBuilder t, string label, IoasHandle ioas) =>
        t.Option(label, Iommufd.IOMMU_OPTION_HUGE_PAGES, Iommufd.IOMMU_OPTION_OP_SET, ioas, 0);

    private Trace Unmap()
    {
        var (t, a, ioas) = IoasFixture("unmap");
        // A valid unmap of one page at Base, one field changed.
        void U(string label, TraceValue? ioasId = null, TraceValue? iova = null, TraceValue? length = null) =>
            t.IoasUnmap(label, ioasId ?? ioas.Id, iova ?? Base, length ?? Page);
        U("no_ioas", ioasId: 99);
        U("no_ioas_unmap_all", ioasId: 99, iova: 0, length: U64Max);
        U("iova_u64max", iova: U64Max, length: 1);
        U("length_u64max", iova: 1, length: U64Max);
        U("length_0", length: 0);
        U("range_overflow", iova: U64Max - 1, length: 3);
        U("nothing_mapped");
        U("unmap_all_empty", iova: 0, length: U64Max);
        t.IoasMapFixed("map_a", ioas, a.At(0), Page, 0x10000);
        t.IoasMapFixed("map_b", ioas, a.At(0), 2 * Page, 0x11000);
        U("partial_second", iova: 0x10000, length: 2 * Page);
        U("first_already_gone", iova: 0x10000, length: Page);
        U("second_exact", iova: 0x11000, length: 2 * Page);
        t.IoasMapFixed("map_c", ioas, a.At(0), Page, 0x20000);
        t.IoasMapFixed("map_d", ioas, a.At(0), Page, 0x30000);
        U("superset_with_holes", iova: 0x1F000, length: 0x12000);
        return t.Build();
    }

    private Trace Copy()
    {
        var (t, a, ioas) = IoasFixture("copy");
        IoasHandle dst = t.IoasAlloc("dst");
        t.IoasMapFixed("map_rw", ioas, a.At(0), 4 * Page, Base);
        t.IoasMapFixed("map_next", ioas, a.At(0), 2 * Page, Base + 4 * Page);
        t.IoasMapFixed("map_ro", ioas, a.At(0), Page, Base + 16 * Page, flags: FixedRo);
        // A valid automatic copy of the first page into dst, one field changed.
        void C(string label, TraceValue? flags = null, TraceValue? dstIoas = null, TraceValue? srcIoas = null,
               TraceValue? length = null, TraceValue? srcIova = null, TraceValue? dstIova = null) =>
            t.IoasCopy(label, flags ?? Rw, dstIoas ?? dst.Id, srcIoas ?? ioas.Id, length ?? Page, srcIova ?? Base, dstIova);
        C("unknown_flag", flags: Rw | 8);
        C("length_u64max", length: U64Max);
        C("src_u64max", srcIova: U64Max);
        C("dst_u64max", dstIova: U64Max);
        C("no_permission", flags: 0);
        C("no_src", srcIoas: 99);
        C("length_0", length: 0);
        C("src_overflow", srcIova: U64Max - 1, length: 3);
        C("hole", srcIova: Base + 6 * Page);
        C("starts_before_area", srcIova: Base - Page, length: 2 * Page);
        C("runs_past_areas", length: 7 * Page);
        C("no_dst", dstIoas: 99);
        C("writeable_from_read_only", srcIova: Base + 16 * Page);
        C("read_from_read_only", flags: Iommufd.IOMMU_IOAS_MAP_READABLE, srcIova: Base + 16 * Page);
        C("across_two_areas", length: 6 * Page);
        C("sub_range_unaligned", srcIova: Base + 100, length: 3000);
        C("fixed", flags: FixedRw, dstIova: 0x40000);
        C("fixed_overlap", flags: FixedRw, dstIova: 0x40000);
        C("fixed_same_ioas", flags: FixedRw, dstIoas: ioas.Id, dstIova: Base + 32 * Page);
        return t.Build();
    }

    private Trace IovaRanges()
    {
        var (t, a, ioas) = IoasFixture("iova-ranges");
        void R(string label, TraceValue? ioasId = null, TraceValue? numIovas = null, TraceValue? allowedIovas = null, Args? extra = null) =>
            t.IoasIovaRanges(label, ioasId ?? ioas.Id, numIovas ?? 4, allowedIovas ?? a.At(0), extra);
        R("reserved", extra: new Args { ["__reserved"] = 1 });
        R("no_ioas", ioasId: 99);
        R("null_array", allowedIovas: 0);
        R("null_array_no_room", allowedIovas: 0, numIovas: 0);
        TraceBuffer r = t.Alloc("r", Page);
        t.Write(r, 0, Ranges((Page * 16, Page * 32 - 1)));
        t.IoasAllowIovas("allow", ioas, 1, r.At(0));
        R("after_allow");
        t.Read("ranges_after_allow", a, 0, 32);
        return t.Build();
    }

    private Trace AllowIovas()
    {
        var (t, a, ioas) = IoasFixture("allow-iovas");
        TraceBuffer r = t.Alloc("r", Page);
        void A(string label, TraceValue? ioasId = null, TraceValue? numIovas = null, TraceValue? allowedIovas = null, Args? extra = null) =>
            t.IoasAllowIovas(label, ioasId ?? ioas.Id, numIovas ?? 1, allowedIovas ?? r.At(0), extra);
        t.Write(r, 0, Ranges((Page, 2 * Page - 1)));
        A("reserved", extra: new Args { ["__reserved"] = 1 });
        A("no_ioas", ioasId: 99);
        A("null_array", allowedIovas: 0);
        t.Write(r, 0, Ranges((Page, Page)));
        A("one_byte_range");
        t.Write(r, 0, Ranges((2 * Page, Page)));
        A("start_after_last");
        t.Write(r, 0, Ranges((Page * 10, Page * 20 - 1), (Page * 19, Page * 30 - 1)));
        A("overlapping", numIovas: 2);
        t.Write(r, 0, Ranges((Page * 20, Page * 30 - 1), (Page * 10, Page * 20 - 1)));
        A("adjacent_unsorted", numIovas: 2);
        t.IoasMap("map_in_allowed", ioas, a.At(0), 4 * Page);
        A("clear", numIovas: 0);
        t.IoasMap("map_after_clear", ioas, a.At(0), 4 * Page);
        return t.Build();
    }

    private Trace Option()
    {
        TraceBuilder t = New("option");
        const uint rlimit = Iommufd.IOMMU_OPTION_RLIMIT_MODE, huge = Iommufd.IOMMU_OPTION_HUGE_PAGES;
        const uint set = Iommufd.IOMMU_OPTION_OP_SET, get = Iommufd.IOMMU_OPTION_OP_GET;
        t.Option("rlimit_object_id", rlimit, get, objectId: 1);
        t.Option("unknown_option", 2, get);
        t.Option("rlimit_unknown_op", rlimit, 2);
        t.Option("reserved", rlimit, get, extra: new Args { ["__reserved"] = 1 });
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.Option("rlimit_set_busy", rlimit, set, val64: 1);
        t.Option("huge_unknown_op", huge, 2, ioas);
        t.Ioctl("huge_reserved", nameof(Iommufd.IOMMU_OPTION), new Args { ["option_id"] = huge, ["op"] = get, ["__reserved"] = 1, ["object_id"] = ioas });
        t.Option("huge_not_ioas", huge, get, 99);
        t.Ioctl("huge_set_3", nameof(Iommufd.IOMMU_OPTION), new Args { ["option_id"] = huge, ["op"] = set, ["val64"] = 3, ["object_id"] = ioas });
        return t.Build();
    }

    private Trace Destroy()
    {
        TraceBuilder t = New("destroy");
        t.Destroy("max_id", 0x7FFFFFFF);
        IoasHandle[] ioas = [.. Enumerable.Range(0, 3).Select(k => t.IoasAlloc($"ioas{k}"))];
        t.Destroy("destroy_middle", ioas[1]);
        t.IoasAlloc("reuse");
        t.IoasAlloc("next");
        t.Destroy("destroy_first", ioas[0]);
        TraceFd other = t.Open("open").Fd;
        t.IoasAlloc("other_fd", other);
        t.Destroy("destroy_other_fds_id", 4, fd: other);
        return t.Build();
    }

    private Trace VfioIoas()
    {
        TraceBuilder t = New("vfio-ioas");
        t.VfioIoas("reserved", Iommufd.IOMMU_VFIO_IOAS_GET, extra: new Args { ["__reserved"] = 1 });
        t.VfioIoas("unknown_op", 3);
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.VfioIoas("set", Iommufd.IOMMU_VFIO_IOAS_SET, ioas);
        t.VfioIoas("get", Iommufd.IOMMU_VFIO_IOAS_GET, 77);
        t.Destroy("destroy", ioas);
        t.VfioIoas("get_after_destroy", Iommufd.IOMMU_VFIO_IOAS_GET);
        t.VfioIoas("clear_nothing", Iommufd.IOMMU_VFIO_IOAS_CLEAR);
        return t.Build();
    }

    private Trace HwptNoDevice()
    {
        TraceBuilder t = New("hwpt-no-device");
        TraceBuffer a = t.Alloc("a", Page);
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.HwptAlloc("alloc_reserved", null, null, ioas, extra: new Args { ["__reserved"] = 1 });
        t.HwptAlloc("alloc_data_without_type", null, null, ioas, dataLen: 4, dataUptr: a.At(0));
        t.HwptAlloc("alloc_type_without_data", null, null, ioas, dataType: 1);
        t.HwptAlloc("alloc_no_device", null, null, ioas);
        t.HwptAlloc("alloc_ioas_as_device", null, ioas.Id, ioas);
        t.GetHwInfo("info_flags", flags: 1);
        t.GetHwInfo("info_reserved", extra: new Args { ["__reserved"] = TraceValue.Array(0, 1, 0) });
        t.GetHwInfo("info_ioas_as_device", ioas);
        t.HwptSetDirtyTracking("dirty_flags", 2);
        t.HwptSetDirtyTracking("dirty_ioas_as_hwpt", Iommufd.IOMMU_HWPT_DIRTY_TRACKING_ENABLE, ioas);
        t.HwptGetDirtyBitmap("bitmap_flags", flags: 2);
        t.HwptGetDirtyBitmap("bitmap_reserved", extra: new Args { ["__reserved"] = 1 });
        t.HwptGetDirtyBitmap("bitmap_ioas_as_hwpt", ioas, length: Page, pageSize: Page, data: a.At(0));
        t.HwptInvalidate("invalidate_reserved", extra: new Args { ["__reserved"] = 1 });
        // entry_num before the fields it goes with, as the cases were written.
        t.Ioctl("invalidate_null_array", nameof(Iommufd.IOMMU_HWPT_INVALIDATE), new Args { ["hwpt_id"] = ioas, ["entry_num"] = 1, ["entry_len"] = 8 });
        t.Ioctl("invalidate_entry_len_0", nameof(Iommufd.IOMMU_HWPT_INVALIDATE), new Args { ["hwpt_id"] = ioas, ["entry_num"] = 1, ["data_uptr"] = a.At(0) });
        t.HwptInvalidate("invalidate_ioas_as_hwpt", ioas, entryNum: 0);
        t.FaultQueueAlloc("fault_flags", 1);
        return t.Build();
    }
}
