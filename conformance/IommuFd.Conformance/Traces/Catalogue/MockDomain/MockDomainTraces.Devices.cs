using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// Mock devices on an IOAS: attach, busy objects, the aperture, pinning at MAP and attach, replace,
// HWPT_ALLOC's checks, GET_HW_INFO and what closing the fd releases (MockDomainTests).
public sealed partial class MockDomainTraces
{
    private IEnumerable<Trace> DeviceTraces() =>
        [IoasDestroy(), HwptAttach(), IovaRanges(), AttachConstraints(), MapWithDomain(), Replace(), HwptAllocErrors(),
         GetHwInfo(), CloseCleanup(), TwoDomains()];

    private Trace IoasDestroy()
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture("ioas-destroy");
        MockDomainHandle m = t.TestMockDomain("mock_domain", ioas);
        t.Destroy("ioas_busy", ioas);
        t.Destroy("hwpt_busy", m.HwptId);
        t.Destroy("idev_busy", m.IdevId);
        t.IoasMapFixed("map", ioas, a.At(0), Page, Base);
        t.Destroy("ioas_busy_with_area", ioas);
        t.Destroy("stdev", m.StdevId);
        t.Destroy("hwpt_gone", m.HwptId);
        t.Destroy("idev_gone", m.IdevId);
        t.Destroy("ioas_free", ioas);
        return t.Build();
    }

    private Trace HwptAttach()
    {
        (TraceBuilder t, _, IoasHandle ioas) = Fixture("hwpt-attach", 1);
        MockDomainHandle m = t.TestMockDomain("first", ioas);
        t.TestMockDomain("on_hwpt", m.HwptId);
        t.TestMockDomain("on_stdev", m.StdevId);
        t.TestMockDomain("on_idev", m.IdevId);
        t.TestMockDomain("on_missing", 999);
        t.TestMockDomainFlags("bad_flags", ioas, 4);
        t.TestMockDomainFlags("no_dirty", ioas, NoDirty);
        t.TestMockDomainFlags("huge_iova", ioas, HugeIova);
        IoasHandle ioas2 = t.IoasAlloc("ioas2");
        MockDomainHandle second = t.TestMockDomain("second_ioas", ioas2);
        t.Destroy("destroy_second", second.StdevId);
        t.Destroy("destroy_ioas2", ioas2);
        t.TestMockDomain("after_frees", ioas);
        return t.Build();
    }

    private Trace IovaRanges()
    {
        (TraceBuilder t, _, IoasHandle ioas) = Fixture("iova-ranges", 1);
        TraceBuffer r = t.Alloc("r", Page);
        t.TestAddReserved("reserve_in_aperture", ioas, Base + 16 * Page, Page);
        MockDomainHandle m = t.TestMockDomain("mock_domain", ioas);
        t.IoasIovaRanges("ranges", ioas, 8, r.At(0));
        t.Read("ranges_bytes", r, 0, 64);
        AllowIovas(t, "allow_inside", ioas, r, Base, Base + Page * 16 - 1);
        AllowIovas(t, "allow_outside", ioas, r, 0, Page * 64 - 1);
        t.TestAddReserved("reserve_outside", ioas, Page, Page);
        t.Destroy("detach", m.StdevId);
        t.Write(r, 0, new byte[64]);
        t.IoasIovaRanges("ranges_after", ioas, 8, r.At(0));
        t.Read("ranges_after_bytes", r, 0, 64);
        return t.Build();
    }

    private Trace AttachConstraints()
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture("attach-constraints", 2);
        TraceBuffer r = t.Alloc("r", Page);
        t.IoasMapFixed("map_below_aperture", ioas, a.At(0), Page, 0);
        t.TestMockDomain("area_outside", ioas);
        IoasHandle ioas2 = t.IoasAlloc("ioas2");
        AllowIovas(t, "allow_outside", ioas2, r, 0, Page * 600);
        t.TestMockDomain("allowed_outside", ioas2);
        IoasHandle ioas3 = t.IoasAlloc("ioas3");
        t.IoasMapFixed("map_100_bytes", ioas3, a.At(0), 100, Base);
        t.TestMockDomain("misaligned_area", ioas3);
        IoasHandle ioas4 = t.IoasAlloc("ioas4");
        t.IoasMapFixed("map_unmapped_va", ioas4, UnmappedVa, Page, Base);
        t.TestMockDomain("unpinnable_area", ioas4);
        t.IoasMapFixed("map_good", ioas4, a.At(0), Page, Base + Page);
        t.IoasUnmap("unmap_bad", ioas4, Base, Page);
        MockDomainHandle m = t.TestMockDomain("now_fine", ioas4);
        t.TestCheckRefs("pinned_at_attach", a.At(0), Page, 1);
        t.IoasIovaRanges("alignment", ioas4);
        t.Option("huge_pages_off_with_area", Iommufd.IOMMU_OPTION_HUGE_PAGES, Iommufd.IOMMU_OPTION_OP_SET, ioas4, 0);
        t.Destroy("detach", m.StdevId);
        t.TestCheckRefs("unpinned_at_detach", a.At(0), Page, 0);
        return t.Build();
    }

    private Trace MapWithDomain()
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture("map-with-domain", 4);
        MockDomainHandle m = t.TestMockDomain("mock_domain", ioas);
        TraceValue hwpt = m.HwptId;
        t.TestCheckRefs("refs_before", a.At(0), 4 * Page, 0);
        StepHandle auto = t.IoasMap("map_auto", ioas, a.At(0), Page);
        t.IoasMapFixed("map_unmapped_va", ioas, UnmappedVa, Page, Base + 64 * Page);
        t.IoasMapFixed("map_outside_aperture", ioas, a.At(0), Page, 0);
        t.IoasMapFixed("map_half_page", ioas, a.At(0), 2048, Base + 80 * Page);
        t.IoasMapFixed("map_second_half", ioas, a.At(2048), 2048, Base + 81 * Page);
        t.IoasMapFixed("map_odd_va", ioas, a.At(1), Page, Base + 82 * Page);
        t.IoasMapFixed("map_odd_length", ioas, a.At(0), 100, Base + 83 * Page);
        t.IoasMapFixed("map_half_page_iova", ioas, a.At(0), Page, Base + 84 * Page + 2048);
        t.TestCheckMap("check_map", hwpt, auto.Out("iova"), Page, a.At(0));
        t.TestCheckMap("check_map_wrong_va", hwpt, auto.Out("iova"), Page, a.At(4096));
        t.TestCheckMap("check_map_half", hwpt, Base + 80 * Page, 2048, a.At(0));
        t.TestCheckMap("check_map_second_half", hwpt, Base + 81 * Page, 2048, a.At(2048));
        t.TestCheckMap("check_map_misaligned_slot", hwpt, Base + 84 * Page, 4096, a.At(0));
        t.TestCheckMap("check_map_nothing", hwpt, Base + 200 * Page, 2048, a.At(0));
        t.TestCheckMap("check_map_empty", hwpt, Base + 80 * Page, 0, a.At(0));
        t.TestCheckMap("check_map_odd_iova", hwpt, Base + 80 * Page + 1, 2048, a.At(0));
        t.TestCheckMap("check_map_odd_length", hwpt, Base + 80 * Page, 100, a.At(0));
        t.TestCheckMap("check_map_ioas", ioas, auto.Out("iova"), Page, a.At(0));
        t.TestCheckMap("check_map_unmapped_va", hwpt, auto.Out("iova"), Page, UnmappedVa);
        t.TestCheckRefs("refs_first_page", a.At(0), Page, 4);
        t.TestCheckRefs("refs_first_page_wrong", a.At(0), Page, 3);
        t.TestCheckRefs("refs_rest", a.At(4096), 3 * Page, 0);
        t.TestCheckRefs("refs_odd_va", a.At(1), Page, 0);
        t.TestCheckRefs("refs_odd_length", a.At(0), 100, 0);
        t.TestCheckRefs("refs_unmapped", UnmappedVa, Page, 0);
        StepHandle all = t.IoasMap("map_all", ioas, a.At(0), 4 * Page);
        t.TestCheckRefs("refs_five", a.At(0), Page, 5);
        t.TestCheckRefs("refs_rest_one", a.At(4096), 3 * Page, 1);
        t.IoasCopy("copy", Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_WRITEABLE, ioas, ioas, 4 * Page,
                   all.Out("iova"), Base + 128 * Page);
        t.TestCheckRefs("refs_copy_shares", a.At(4096), 3 * Page, 1);
        t.TestCheckMap("check_map_copy", hwpt, Base + 128 * Page, 4 * Page, a.At(0));
        t.IoasMap("map_readonly", ioas, a.At(0), Page, flags: Iommufd.IOMMU_IOAS_MAP_WRITEABLE);
        t.TestCheckRefs("refs_six", a.At(0), Page, 6);
        t.IoasUnmap("unmap_all_map", ioas, all.Out("iova"), 4 * Page);
        t.TestCheckRefs("refs_copy_keeps", a.At(4096), 3 * Page, 1);
        t.IoasUnmap("unmap_copy", ioas, Base + 128 * Page, 4 * Page);
        t.TestCheckRefs("refs_rest_zero", a.At(4096), 3 * Page, 0);
        t.IoasUnmap("unmap_everything", ioas, 0, U64Max);
        t.TestCheckRefs("refs_none", a.At(0), 4 * Page, 0);
        return t.Build();
    }

    private Trace Replace()
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture("replace", 1);
        MockDomainHandle m = t.TestMockDomain("mock_domain", ioas);
        TraceValue stdev = m.StdevId;
        IoasHandle ioas2 = t.IoasAlloc("ioas2");
        t.TestMockDomainReplace("to_ioas2", stdev, ioas2);
        t.TestMockDomainReplace("to_freed_hwpt", stdev, m.HwptId);
        t.TestMockDomainReplace("to_ioas2_again", stdev, ioas2);
        t.TestMockDomainReplace("back", stdev, ioas);
        t.Destroy("destroy_ioas2", ioas2);
        t.TestMockDomainReplace("idev_as_stdev", m.IdevId, ioas);
        t.TestMockDomainReplace("to_idev", stdev, m.IdevId);
        t.TestMockDomainReplace("to_missing", stdev, 999);
        // iommufd_mock_domain.alloc_hwpt
        HwptAlloc(t, "bad_flags", m.IdevId, ioas, flags: ~NestParent);
        HwptHandle hwpt0 = HwptAlloc(t, "hwpt0", m.IdevId, ioas);
        HwptHandle hwpt1 = HwptAlloc(t, "hwpt1_nest_parent", m.IdevId, ioas, flags: NestParent);
        t.TestMockDomainReplace("to_hwpt0", stdev, hwpt0);
        t.Destroy("hwpt0_busy", hwpt0);
        t.TestMockDomainReplace("to_hwpt1", stdev, hwpt1);
        t.Destroy("hwpt1_busy", hwpt1);
        t.TestMockDomainReplace("to_ioas", stdev, ioas);
        t.Destroy("hwpt1_free", hwpt1);
        MockDomainHandle onHwpt0 = t.TestMockDomain("on_hwpt0", hwpt0);
        t.Destroy("stdev2", onHwpt0.StdevId);
        t.Destroy("hwpt0_free", hwpt0);
        t.IoasMap("map", ioas, a.At(0), Page);
        t.TestCheckRefs("refs", a.At(0), Page, 1);
        return t.Build();
    }

    private Trace HwptAllocErrors()
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture("hwpt-alloc", 1);
        TraceBuffer d = t.Alloc("d", Page);
        t.Write(d, 0, BitConverter.GetBytes(IotlbDefault));
        MockDomainHandle m = t.TestMockDomain("mock_domain", ioas);
        TraceValue dev = m.IdevId;
        HwptAlloc(t, "ioas_as_device", ioas, ioas);
        HwptAlloc(t, "missing_pt", dev, 999);
        HwptAlloc(t, "stdev_as_pt", dev, m.StdevId);
        HwptAlloc(t, "driver_data", dev, ioas, dataType: DataSelftest, dataLen: 4, dataUptr: d.At(0));
        HwptAlloc(t, "fault_id_flag", dev, ioas, flags: FaultIdValid);
        HwptHandle dirty = HwptAlloc(t, "dirty", dev, ioas, flags: DirtyTracking);
        MockDomainHandle noDirty = t.TestMockDomainFlags("no_dirty_device", ioas, NoDirty);
        HwptAlloc(t, "dirty_on_no_dirty", noDirty.IdevId, ioas, flags: DirtyTracking);
        t.TestMockDomainFlags("no_dirty_on_dirty_hwpt", dirty, NoDirty);
        HwptAlloc(t, "nested_on_auto", dev, m.HwptId, dataType: DataSelftest, dataLen: 4, dataUptr: d.At(0));
        HwptHandle parent = HwptAlloc(t, "nest_parent", dev, ioas, flags: NestParent);
        HwptAlloc(t, "nested_on_non_parent", dev, dirty, dataType: DataSelftest, dataLen: 4, dataUptr: d.At(0));
        HwptAlloc(t, "nested_flags", dev, parent, flags: NestParent, dataType: DataSelftest, dataLen: 4, dataUptr: d.At(0));
        HwptAlloc(t, "nested_no_data", dev, parent);
        HwptAlloc(t, "nested_wrong_type", dev, parent, dataType: 1, dataLen: 4, dataUptr: d.At(0));
        StepHandle map = t.IoasMap("map_three_domains", ioas, a.At(0), Page);
        t.TestCheckRefs("pinned_once", a.At(0), Page, 1);
        t.TestCheckMap("check_map_user_hwpt", dirty, map.Out("iova"), Page, a.At(0));
        return t.Build();
    }

    private Trace GetHwInfo()
    {
        (TraceBuilder t, _, IoasHandle ioas) = Fixture("get-hw-info", 1);
        TraceBuffer h = t.Alloc("h", Page);
        MockDomainHandle m = t.TestMockDomain("mock_domain", ioas);
        MockDomainHandle noDirty = t.TestMockDomainFlags("no_dirty", ioas, NoDirty);
        t.GetHwInfo("zero_size", m.IdevId, 0, 0);
        foreach ((string label, int length) in new[] { ("exact", 8), ("larger", 16), ("smaller", 4) })
        {
            t.Write(h, 0, Enumerable.Repeat((byte)0xff, 32).ToArray());
            t.GetHwInfo(label, m.IdevId, length, h.At(0));
            t.Read($"{label}_bytes", h, 0, 32);
        }
        t.GetHwInfo("no_dirty_caps", noDirty.IdevId, 8, h.At(0));
        t.GetHwInfo("stdev_as_device", m.StdevId, 8, h.At(0));
        t.GetHwInfo("bad_buffer", m.IdevId, 8, UnmappedVa);
        return t.Build();
    }

    private Trace CloseCleanup()
    {
        TraceBuilder t = New("close-cleanup");
        TraceBuffer a = t.Alloc("a", 2 * Page);
        t.Touch(a, 2);
        FdHandle other = t.Open("open");
        IoasHandle ioas = t.IoasAlloc("ioas", other.Fd);
        t.TestMockDomain("mock_domain", ioas, other.Fd);
        t.IoasMapFixed("map", ioas, a.At(0), 2 * Page, Base, fd: other.Fd);
        IoasHandle ioas0 = t.IoasAlloc("ioas_fd0");
        t.TestMockDomain("mock_domain_fd0", ioas0);
        t.IoasMapFixed("map_fd0", ioas0, a.At(0), Page, Base);
        t.TestCheckRefs("refs_two_contexts", a.At(0), Page, 2);
        t.Close("close", other.Fd);
        t.TestCheckRefs("refs_after_close", a.At(0), Page, 1);
        t.TestCheckRefs("refs_second_page", a.At(4096), Page, 0);
        FdHandle reopened = t.Open("reopen");
        t.IoasAlloc("ioas_fd2", reopened.Fd);
        return t.Build();
    }

    // Two devices on one IOAS, replayed as a plain differential trace (fail-nth sweeps
    // failnth/map-two-domains).
    private Trace TwoDomains()
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture("two-domains", 8);
        MockDomainHandle first = t.TestMockDomain("attach_first", ioas);
        MockDomainHandle second = t.TestMockDomain("attach_second", ioas);
        t.IoasMapFixed("map_into_both", ioas, a.At(0), 8 * Page, Base);
        t.IoasUnmap("unmap_from_both", ioas, Base, 8 * Page);
        t.Destroy("detach_second", second.StdevId);
        t.Destroy("detach_first", first.StdevId);
        return t.Build();
    }
}
