using IommuFd.Conformance.Traces.Building;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;
using StableTest = IommuFd.Interop.Stable.IommufdTest;

namespace IommuFd.Conformance.Traces.Catalogue;

// 7.3's iommufd_viommu fixture (ViommuTests): one trace per TEST_F case and variant that does not SKIP,
// named viommu-<case>-<variant>, in the selftest's order. The fixture's nesting parent, vIOMMU and
// nested HWPT exist only in the mock_viommu variant; no_viommu calls with the IDs left 0 and creates no
// mock device, so its traces go to selftest/ (SelftestTraces), whose traces need nothing.
public sealed partial class MockDomainTraces
{
    private static readonly KernelRange From73 = KernelRange.Parse(">=7.3");

    private const uint ViommuSelftest = StableTest.IOMMU_VIOMMU_TYPE_SELFTEST;
    private const uint VeventqSelftest = StableTest.IOMMU_VEVENTQ_TYPE_SELFTEST;
    private const uint HwQueueSelftest = StableTest.IOMMU_HW_QUEUE_TYPE_SELFTEST;
    private const uint ViommuInvalidate = StableTest.IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST;
    private const uint DevCacheDefault = StableTest.IOMMU_TEST_DEV_CACHE_DEFAULT;
    private const uint InvalidateAll = StableTest.IOMMU_TEST_INVALIDATE_FLAG_ALL;

    private IEnumerable<Trace> ViommuTraces() =>
    [
        ViommuCase(New, "auto-destroy", mock: true, (_, _) => { }),
        ViommuCase(New, "negative-tests", mock: true, ViommuNegativeTests),
        ViommuCase(New, "alloc-nested-iopf", mock: true, ViommuAllocNestedIopf),
        ViommuCase(New, "alloc-with-data", mock: true, ViommuAllocWithData),
        ViommuCase(New, "vdevice-alloc", mock: true, VdeviceAllocCase),
        ViommuCase(New, "vdevice-cache", mock: true, VdeviceCache),
        ViommuCase(New, "hw-queue", mock: true, HwQueueCase),
        ViommuCase(New, "vdevice-tombstone", mock: true, VdeviceTombstone),
    ];

    /// <summary>The no_viommu variant's cases, for the catalogue whose <paramref name="newTrace"/> makes them.</summary>
    internal static IEnumerable<Trace> NoViommuTraces(Func<string, KernelRange?, TraceBuilder> newTrace) =>
    [
        ViommuCase(newTrace, "auto-destroy", mock: false, (_, _) => { }),
        ViommuCase(newTrace, "negative-tests", mock: false, ViommuNegativeTests),
        ViommuCase(newTrace, "vdevice-alloc", mock: false, VdeviceAllocCase),
    ];

    /// <summary>The fixture's objects; every ID is 0 in no_viommu.</summary>
    private sealed record ViommuFixture(TraceBuilder T, TraceBuffer A, NestedBuffers Buffers, IoasHandle Ioas,
                                        TraceValue Stdev, TraceValue Dev, TraceValue Hwpt, TraceValue Viommu, TraceValue Nested);

    /// <summary>FIXTURE_SETUP(iommufd_viommu), the case, then teardown_iommufd.</summary>
    private static Trace ViommuCase(Func<string, KernelRange?, TraceBuilder> newTrace, string @case, bool mock,
                                    Action<ViommuFixture, bool> body)
    {
        TraceBuilder t = newTrace($"viommu-{@case}-{(mock ? "mock_viommu" : "no_viommu")}", From73);
        TraceBuffer a = t.Alloc("a", SelftestBuffer);
        t.Touch(a, (int)(SelftestBuffer / Page));
        NestedBuffers buffers = NestedData(t, a);
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.TestMemoryLimit("memory_limit", DefaultMemoryLimit);
        ViommuFixture f;
        if (mock)
        {
            MockDomainHandle m = t.TestMockDomain("mock_domain", ioas);
            HwptHandle parent = HwptAlloc(t, "nest_parent", m.IdevId, ioas, flags: NestParent);
            StepHandle viommu = t.ViommuAlloc("viommu", m.IdevId, parent, ViommuSelftest);
            HwptHandle nested = NestedAlloc(t, "nested", m.IdevId, viommu.Out("out_viommu_id"), buffers, dataLen: 8);
            f = new(t, a, buffers, ioas, m.StdevId, m.IdevId, parent, viommu.Out("out_viommu_id"), nested);
        }
        else
            f = new(t, a, buffers, ioas, 0, 0, 0, 0, 0);
        body(f, mock);
        Teardown(t, a, SelftestBuffer);
        return t.Build();
    }

    private static void ViommuNegativeTests(ViommuFixture f, bool mock)
    {
        TraceBuilder t = f.T;
        if (!mock)
        {
            t.ViommuAlloc("no_device", f.Dev, f.Hwpt, ViommuSelftest);
            return;
        }
        t.ViommuAlloc("hwpt_zero", f.Dev, 0, ViommuSelftest);
        HwptHandle plain = HwptAlloc(t, "not_parent", f.Dev, f.Ioas);
        t.ViommuAlloc("on_not_parent", f.Dev, plain, ViommuSelftest);
        t.Destroy("not_parent_free", plain);
        t.ViommuAlloc("type_dead", f.Dev, f.Hwpt, 0xdead);
        t.Destroy("parent_busy", f.Hwpt);
        t.Destroy("viommu_busy", f.Viommu);
        // Beyond the selftest: the DEFAULT type, flags, and a device ID that is another object.
        t.ViommuAlloc("type_default", f.Dev, f.Hwpt, 0);
        t.ViommuAlloc("flags", f.Dev, f.Hwpt, ViommuSelftest, extra: new Args { ["flags"] = 1 });
        t.ViommuAlloc("ioas_as_device", f.Ioas, f.Hwpt, ViommuSelftest);
        t.ViommuAlloc("viommu_as_parent", f.Dev, f.Viommu, ViommuSelftest);
    }

    private static void ViommuAllocNestedIopf(ViommuFixture f, bool mock)
    {
        TraceBuilder t = f.T;
        FdHandle fault = t.FaultQueueAlloc("fault_alloc", 0);
        NestedAlloc(t, "iopf_bad_fault_id", f.Dev, f.Viommu, f.Buffers, flags: FaultIdValid, dataLen: 8, faultId: 0xFFFFFFFFu);
        NestedAlloc(t, "iopf_bad_flags", f.Dev, f.Viommu, f.Buffers, flags: FaultIdValid | (1u << 31), dataLen: 8, faultId: fault.FaultId);
        HwptHandle iopf = NestedAlloc(t, "iopf_hwpt", f.Dev, f.Viommu, f.Buffers, flags: FaultIdValid, dataLen: 8, faultId: fault.FaultId);
        t.TestMockDomainReplace("replace_without_vdevice", f.Stdev, iopf);
        t.VdeviceAlloc("vdevice", f.Viommu, f.Dev, 0x99);
        t.TestMockDomainReplace("to_iopf", f.Stdev, iopf);
        t.Destroy("iopf_busy", iopf);
        t.TestTriggerIopf("trigger_iopf", f.Dev, 1, 2, 3, 0xdeadbeaf);
        t.FdRead("read_fault", fault.Fd, 40);
        t.FdWrite("respond", fault.Fd, [1, 0, 0, 0, 0, 0, 0, 0]);
        t.TestMockDomainReplace("to_ioas", f.Stdev, f.Ioas);
        t.Destroy("iopf_free", iopf);
        t.Close("close_fault", fault.Fd);
        t.Destroy("fault_free", fault.FaultId);
    }

    // The mmap half of the case (the loopback read through the iommufd fd and its EBUSY) has no trace op:
    // the trace checks the data written back and that the region's owner goes while nothing maps it.
    private static void ViommuAllocWithData(ViommuFixture f, bool mock)
    {
        TraceBuilder t = f.T;
        TraceBuffer data = t.Alloc("viommu_data", Page);
        t.Write(data, 0, BitConverter.GetBytes(0xbeefu));
        StepHandle viommu = t.ViommuAlloc("with_data", f.Dev, f.Hwpt, ViommuSelftest, 24, data.At(0));
        t.Read("data_back", data, 0, 24);
        t.ViommuAlloc("second_with_data", f.Dev, f.Hwpt, ViommuSelftest, 24, data.At(0));
        t.Read("second_data_back", data, 0, 24);
        t.ViommuAlloc("data_short", f.Dev, f.Hwpt, ViommuSelftest, 7, data.At(0));
        t.ViommuAlloc("data_long", f.Dev, f.Hwpt, ViommuSelftest, 25, data.At(0));
        t.ViommuAlloc("data_null", f.Dev, f.Hwpt, ViommuSelftest, 24, 0);
        t.Destroy("unmapped_owner_free", viommu.Out("out_viommu_id"));
        t.ViommuAlloc("reuses_offset", f.Dev, f.Hwpt, ViommuSelftest, 24, data.At(0));
        t.Read("third_data_back", data, 0, 24);
    }

    private static void VdeviceAllocCase(ViommuFixture f, bool mock)
    {
        TraceBuilder t = f.T;
        if (!mock)
        {
            t.VdeviceAlloc("no_viommu", f.Viommu, f.Dev, 0x99);
            return;
        }
        t.TestMockDomainReplace("replace_without_vdevice", f.Stdev, f.Nested);
        t.VeventqAlloc("depth_zero", f.Viommu, VeventqSelftest, 0);
        t.VeventqAlloc("depth_over_max", f.Viommu, VeventqSelftest, (1u << 19) + 1);
        FdHandle max = t.VeventqAlloc("depth_max", f.Viommu, VeventqSelftest, 1u << 19);
        t.Close("close_max", max.Fd);
        t.Destroy("destroy_max", max.Out("out_veventq_id"));
        FdHandle q = t.VeventqAlloc("veventq", f.Viommu, VeventqSelftest, 2);
        t.VeventqAlloc("veventq_same_type", f.Viommu, VeventqSelftest, 2);
        t.FdRead("read_zero_empty", q.Fd, 0);
        t.FdRead("read_short_empty", q.Fd, 7);
        StepHandle vdev = t.VdeviceAlloc("vdevice_99", f.Viommu, f.Dev, 0x99);
        t.TestMockDomainReplace("to_nested", f.Stdev, f.Nested);
        t.TestTriggerVevent("trigger_1", f.Dev);
        t.FdRead("read_zero_pending", q.Fd, 0);
        t.FdRead("read_header_only", q.Fd, 8);
        t.FdRead("read_1", q.Fd, 12);
        t.VdeviceAlloc("vdevice_again", f.Viommu, f.Dev, 0x99);
        t.TestMockDomainReplace("to_ioas", f.Stdev, f.Ioas);
        t.Destroy("vdevice_99_free", vdev.Out("out_vdevice_id"));
        StepHandle vdev88 = t.VdeviceAlloc("vdevice_88", f.Viommu, f.Dev, 0x88);
        t.TestMockDomainReplace("to_nested_88", f.Stdev, f.Nested);
        for (int k = 0; k < 3; k++)
            t.TestTriggerVevent($"overflow_{k}", f.Dev);
        t.FdRead("read_overflow", q.Fd, 36);
        t.TestTriggerVevent("trigger_after_overflow", f.Dev);
        t.FdRead("read_after_overflow", q.Fd, 12);
        t.Close("close_veventq", q.Fd);
        t.TestMockDomainReplace("to_ioas_88", f.Stdev, f.Ioas);
        t.Destroy("vdevice_88_free", vdev88.Out("out_vdevice_id"));
        t.Destroy("veventq_free", q.Out("out_veventq_id"));
    }

    /// <summary>struct iommu_viommu_invalidate_selftest entries (flags, vdev_id, cache_id) written to "inv".</summary>
    private static void WriteViommuEntries(ViommuFixture f, params (uint Flags, uint VdevId, uint CacheId)[] entries) =>
        f.T.Write(f.Buffers.Inv, 0, entries.SelectMany(e =>
            BitConverter.GetBytes(e.Flags).Concat(BitConverter.GetBytes(e.VdevId)).Concat(BitConverter.GetBytes(e.CacheId))).ToArray());

    private static void CheckCache(ViommuFixture f, string label, params uint[] values)
    {
        for (uint k = 0; k < values.Length; k++)
            f.T.TestDevCheckCache($"{label}_{k}", f.Dev, k, values[k]);
    }

    private static void VdeviceCache(ViommuFixture f, bool mock)
    {
        TraceBuilder t = f.T;
        TraceValue inv = f.Buffers.Inv.At(0);
        StepHandle vdev = t.VdeviceAlloc("vdevice", f.Viommu, f.Dev, 0x99);
        CheckCache(f, "default", DevCacheDefault, DevCacheDefault, DevCacheDefault, DevCacheDefault);
        t.HwptInvalidate("zero_entries", f.Viommu, inv, ViommuInvalidate, 12, 0);
        t.HwptInvalidate("bad_type", f.Viommu, inv, StableTest.IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID, 12, 1);
        t.HwptInvalidate("entry_len_13", f.Viommu, inv, ViommuInvalidate, 13, 1);
        t.HwptInvalidate("entry_len_1", f.Viommu, inv, ViommuInvalidate, 1, 1);
        WriteViommuEntries(f, (0xffffffff, 0x99, 0));
        t.HwptInvalidate("bad_flags", f.Viommu, inv, ViommuInvalidate, 12, 1);
        WriteViommuEntries(f, (0, 0x99, 0));
        t.HwptInvalidate("null_uptr", f.Viommu, 0, ViommuInvalidate, 12, 1);
        t.HwptInvalidate("entry_len_0", f.Viommu, inv, ViommuInvalidate, 0, 1);
        WriteViommuEntries(f, (0, 0x99, 4));
        t.HwptInvalidate("bad_cache_id", f.Viommu, inv, ViommuInvalidate, 12, 1);
        WriteViommuEntries(f, (0, 0x9, 0));
        t.HwptInvalidate("bad_vdev_id", f.Viommu, inv, ViommuInvalidate, 12, 1);
        WriteViommuEntries(f, (0, 0x99, 0), (0xffffffff, 0x99, 1));
        t.HwptInvalidate("second_bad_flags", f.Viommu, inv, ViommuInvalidate, 12, 2);
        CheckCache(f, "after_first", 0, DevCacheDefault, DevCacheDefault, DevCacheDefault);
        WriteViommuEntries(f, (0, 0x99, 0), (0, 0x99, 4));
        t.HwptInvalidate("second_bad_cache_id", f.Viommu, inv, ViommuInvalidate, 12, 2);
        CheckCache(f, "still_first", 0, DevCacheDefault, DevCacheDefault, DevCacheDefault);
        WriteViommuEntries(f, (0, 0x99, 1));
        t.HwptInvalidate("second", f.Viommu, inv, ViommuInvalidate, 12, 1);
        CheckCache(f, "after_second", 0, 0, DevCacheDefault, DevCacheDefault);
        WriteViommuEntries(f, (0, 0x99, 2), (0, 0x99, 3));
        t.HwptInvalidate("third_fourth", f.Viommu, inv, ViommuInvalidate, 12, 2);
        CheckCache(f, "after_all", 0, 0, 0, 0);
        WriteViommuEntries(f, (InvalidateAll, 0x99, 0));
        t.HwptInvalidate("flag_all", f.Viommu, inv, ViommuInvalidate, 12, 1);
        CheckCache(f, "after_flag_all", 0, 0, 0, 0);
        t.TestDevCheckCache("cache_id_over_max", f.Dev, 4, 0);
        t.Destroy("vdevice_free", vdev.Out("out_vdevice_id"));
    }

    private static void HwQueueCase(ViommuFixture f, bool mock)
    {
        TraceBuilder t = f.T;
        t.HwQueueAlloc("type_default", f.Viommu, 0, 0, Base, Page);
        t.HwQueueAlloc("length_zero", f.Viommu, HwQueueSelftest, 0, Base, 0);
        t.HwQueueAlloc("overflow", f.Viommu, HwQueueSelftest, 0, U64Max, Page);
        t.HwQueueAlloc("not_mapped", f.Viommu, HwQueueSelftest, 0, Base, Page);
        // The selftest maps two pages at IOVAs the kernel picks; fixed ones let the unaligned queue name its IOVA.
        ulong iova = Base, iova2 = Base + 16 * Page;
        t.IoasMapFixed("map_1", f.Ioas, f.A.At(0), Page, iova);
        t.IoasMapFixed("map_2", f.Ioas, f.A.At(Page), Page, iova2);
        t.HwQueueAlloc("index_1_first", f.Viommu, HwQueueSelftest, 1, iova, Page);
        t.HwQueueAlloc("index_max", f.Viommu, HwQueueSelftest, 2, iova, Page);
        StepHandle q0 = t.HwQueueAlloc("queue_0", f.Viommu, HwQueueSelftest, 0, iova, Page);
        t.HwQueueAlloc("queue_0_again", f.Viommu, HwQueueSelftest, 0, iova, Page);
        t.IoasUnmap("unmap_pinned", f.Ioas, iova, Page);
        t.IoasUnmap("unmap_second", f.Ioas, iova2, Page);
        t.Destroy("internal_access_busy", 9); // queue 0 took ID 8, its internal access 9
        StepHandle q1 = t.HwQueueAlloc("queue_1_unaligned", f.Viommu, HwQueueSelftest, 1, iova + Page / 2, Page / 2);
        t.Destroy("queue_0_busy", q0.Out("out_hw_queue_id"));
        t.Destroy("viommu_busy", f.Viommu);
        t.Destroy("queue_1_free", q1.Out("out_hw_queue_id"));
        t.Destroy("queue_0_free", q0.Out("out_hw_queue_id"));
        t.IoasUnmap("unmap_first", f.Ioas, iova, Page);
    }

    private static void VdeviceTombstone(ViommuFixture f, bool mock)
    {
        TraceBuilder t = f.T;
        StepHandle vdev = t.VdeviceAlloc("vdevice", f.Viommu, f.Dev, 0x99);
        t.Destroy("stdev_free", f.Stdev);
        t.Destroy("vdevice_tombstone", vdev.Out("out_vdevice_id"));
        // Beyond the selftest: the tombstone keeps its ID from new objects (the device's IDs are free
        // again); the vIOMMU lost its reference with the vDEVICE.
        for (int k = 0; k < 4; k++)
            t.IoasAlloc($"next_ioas_{k}");
        t.Destroy("nested_free", f.Nested);
        t.Destroy("viommu_free", f.Viommu);
    }
}
