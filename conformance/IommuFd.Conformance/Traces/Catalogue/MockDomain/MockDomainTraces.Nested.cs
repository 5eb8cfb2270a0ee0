using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// Nested HWPTs on a NEST_PARENT paging HWPT: the device branch of iommufd_ioas.alloc_hwpt_nested without its
// fault queue, their mock IOTLB entries, IOMMU_HWPT_INVALIDATE and the attach/replace/destroy order
// (NestedHwptTests; the ioas variants replay the same body).
public sealed partial class MockDomainTraces
{
    /// <summary>IOMMU_HWPT_DATA_SELFTEST and the invalidation data types of iommufd_test.h.</summary>
    private const uint DataSelftest = 0xdead, InvalidateSelftest = 0xdeadbeef, InvalidateSelftestInvalid = 0xdadbeef;

    /// <summary>The value a nested mock domain's IOTLB entries start with (the selftest's iotlb), and their count.</summary>
    private const uint IotlbDefault = 0xbadbeef;
    private const uint IotlbNum = IommufdTest.MOCK_NESTED_DOMAIN_IOTLB_NUM;

    private IEnumerable<Trace> NestedTraces() => [AllocHwptNested()];

    /// <summary>The set-up of the nested traces: one page of "a", "d" holding IOTLB_DEFAULT (the nested
    /// allocation's data), "inv" for invalidation entries and a mock device on the IOAS.</summary>
    private (TraceBuilder T, NestedBuffers Buffers, IoasHandle Ioas, MockDomainHandle Device) NestedFixture(string name)
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture(name, 1);
        NestedBuffers buffers = NestedData(t, a);
        return (t, buffers, ioas, t.TestMockDomain("mock_domain", ioas));
    }

    private readonly record struct NestedBuffers(TraceBuffer A, TraceBuffer D, TraceBuffer Inv);

    private static NestedBuffers NestedData(TraceBuilder t, TraceBuffer a)
    {
        TraceBuffer d = t.Alloc("d", Page);
        t.Write(d, 0, BitConverter.GetBytes(IotlbDefault));
        return new(a, d, t.Alloc("inv", Page));
    }

    // iommufd_ioas.alloc_hwpt_nested, mock_domain variant: everything but the fault queue.
    private Trace AllocHwptNested()
    {
        (TraceBuilder t, NestedBuffers buffers, IoasHandle ioas, MockDomainHandle m) = NestedFixture("alloc-hwpt-nested");
        AllocHwptNestedBody(t, buffers, ioas, m.IdevId, m.StdevId, m.HwptId);
        return t.Build();
    }

    /// <summary>A nested HWPT on <paramref name="parent"/> with the selftest's data (IOMMU_HWPT_DATA_SELFTEST, 4 bytes at "d").</summary>
    private static HwptHandle NestedAlloc(TraceBuilder t, string label, TraceValue dev, TraceValue parent, NestedBuffers buffers,
                                          uint flags = 0, uint dataType = DataSelftest, ulong dataLen = 4, TraceValue? uptr = null,
                                          TraceValue? faultId = null) =>
        HwptAlloc(t, label, dev, parent, flags, dataType, dataLen, uptr ?? buffers.D.At(0), faultId);

    private static void CheckIotlbAll(TraceBuilder t, string label, TraceValue hwpt, uint value)
    {
        for (uint k = 0; k < IotlbNum; k++)
            t.TestCheckIotlb($"{label}_{k}", hwpt, k, value);
    }

    /// <summary>Invalidation entries (flags, iotlb_id) written to "inv".</summary>
    private static void WriteEntries(TraceBuilder t, NestedBuffers buffers, params (uint Flags, uint IotlbId)[] entries) =>
        t.Write(buffers.Inv, 0, entries.SelectMany(e => BitConverter.GetBytes(e.Flags).Concat(BitConverter.GetBytes(e.IotlbId))).ToArray());

    private static StepHandle Invalidate(TraceBuilder t, string label, TraceValue hwpt, NestedBuffers buffers, ulong entryNum,
                                         ulong entryLen = 8, uint dataType = InvalidateSelftest, TraceValue? uptr = null, Args? extra = null) =>
        t.HwptInvalidate(label, hwpt, uptr ?? buffers.Inv.At(0), dataType, entryLen, entryNum, extra);

    /// <summary>The body of alloc_hwpt_nested's device branch: <paramref name="dev"/>, <paramref name="stdev"/> and
    /// <paramref name="auto"/> are the fixture's device, selftest object and automatic HWPT.</summary>
    private static void AllocHwptNestedBody(TraceBuilder t, NestedBuffers buffers, IoasHandle ioas, TraceValue dev, TraceValue stdev, TraceValue auto)
    {
        HwptAlloc(t, "ioas_as_device", ioas, dev);
        HwptAlloc(t, "device_as_pt", dev, dev);
        HwptAlloc(t, "nest_parent_with_fault_id", dev, ioas, flags: NestParent | FaultIdValid);
        HwptHandle parent = HwptAlloc(t, "parent", dev, ioas, flags: NestParent);
        HwptHandle notWork = HwptAlloc(t, "parent_not_work", dev, ioas);
        NestedAlloc(t, "data_none", dev, parent, buffers, dataType: 0);
        NestedAlloc(t, "data_type_plus_one", dev, parent, buffers, dataType: DataSelftest + 1);
        NestedAlloc(t, "data_len_short", dev, parent, buffers, dataLen: 3);
        NestedAlloc(t, "data_len_long", dev, parent, buffers, dataLen: 5);
        NestedAlloc(t, "data_len_page", dev, parent, buffers, dataLen: Page);
        NestedAlloc(t, "data_null", dev, parent, buffers, uptr: 0);
        NestedAlloc(t, "nested_nest_parent", dev, parent, buffers, flags: NestParent);
        NestedAlloc(t, "parent_without_nest_parent", dev, notWork, buffers);
        NestedAlloc(t, "parent_automatic", dev, auto, buffers);
        HwptHandle nested0 = NestedAlloc(t, "nested0", dev, parent, buffers);
        t.Write(buffers.D, 0, BitConverter.GetBytes(0x1234u));
        HwptHandle nested1 = NestedAlloc(t, "nested1", dev, parent, buffers);
        NestedAlloc(t, "bad_fault_id", dev, parent, buffers, flags: FaultIdValid, faultId: 0xFFFFFFFFu);
        NestedAlloc(t, "fault_id_names_a_hwpt", dev, parent, buffers, flags: FaultIdValid, faultId: nested0);
        CheckIotlbAll(t, "iotlb0", nested0, IotlbDefault);
        CheckIotlbAll(t, "iotlb1", nested1, 0x1234);
        t.TestCheckIotlb("iotlb_id_past_max", nested0, 4, IotlbDefault);
        t.TestCheckIotlb("iotlb_other_value", nested0, 0, 0);
        t.TestCheckIotlb("iotlb_on_paging", parent, 0, IotlbDefault);
        t.TestCheckMap("check_map_on_nested", nested0, Base, 0, buffers.A.At(0));
        NestedAlloc(t, "nested_on_nested", dev, nested0, buffers);
        t.Destroy("parent_busy", parent);

        // IOMMU_HWPT_INVALIDATE
        Invalidate(t, "inv_on_paging", parent, buffers, 1);
        Invalidate(t, "inv_zero_entries", nested0, buffers, 0);
        Invalidate(t, "inv_zero_entries_no_array", nested0, buffers, 0, entryLen: 0, uptr: 0);
        Invalidate(t, "inv_zero_entries_bad_type", nested0, buffers, 0, dataType: InvalidateSelftestInvalid);
        Invalidate(t, "inv_bad_type", nested0, buffers, 1, dataType: InvalidateSelftestInvalid);
        Invalidate(t, "inv_entry_len_plus_one", nested0, buffers, 1, entryLen: 9);
        Invalidate(t, "inv_entry_len_one", nested0, buffers, 1, entryLen: 1);
        Invalidate(t, "inv_entry_len_page_plus_one", nested0, buffers, 1, entryLen: Page + 1);
        Invalidate(t, "inv_entry_len_page", nested0, buffers, 1, entryLen: Page);
        Invalidate(t, "inv_too_many", nested0, buffers, (1 << 19) + 1);
        Invalidate(t, "inv_reserved", nested0, buffers, 1, extra: new Args { ["__reserved"] = 1 });
        Invalidate(t, "inv_reserved_and_null", nested0, buffers, 1, uptr: 0, extra: new Args { ["__reserved"] = 1 });
        WriteEntries(t, buffers, (0xFFFFFFFF, 0));
        Invalidate(t, "inv_bad_flags", nested0, buffers, 1);
        Invalidate(t, "inv_null_array", nested0, buffers, 1, uptr: 0);
        Invalidate(t, "inv_zero_entry_len", nested0, buffers, 1, entryLen: 0);
        WriteEntries(t, buffers, (0, IotlbNum));
        Invalidate(t, "inv_bad_iotlb_id", nested0, buffers, 1);
        WriteEntries(t, buffers, (IommufdTest.IOMMU_TEST_INVALIDATE_FLAG_ALL, IotlbNum));
        Invalidate(t, "inv_all_bad_iotlb_id", nested0, buffers, 1);
        Invalidate(t, "inv_unmapped", nested0, buffers, 1, uptr: UnmappedVa);
        WriteEntries(t, buffers, (0, 0), (0xFFFFFFFF, 1));
        Invalidate(t, "inv_second_bad_flags", nested0, buffers, 2);
        t.TestCheckIotlb("after_partial_0", nested0, 0, 0);
        t.TestCheckIotlb("after_partial_1", nested0, 1, IotlbDefault);
        WriteEntries(t, buffers, (0, 0), (0, IotlbNum));
        Invalidate(t, "inv_second_bad_id", nested0, buffers, 2);
        WriteEntries(t, buffers, (0, 1));
        Invalidate(t, "inv_1", nested0, buffers, 1);
        t.TestCheckIotlb("after_inv_1", nested0, 1, 0);
        t.TestCheckIotlb("after_inv_1_2", nested0, 2, IotlbDefault);
        WriteEntries(t, buffers, (0, 2), (0, 3));
        Invalidate(t, "inv_2_3", nested0, buffers, 2);
        CheckIotlbAll(t, "all_clear0", nested0, 0);
        WriteEntries(t, buffers, (IommufdTest.IOMMU_TEST_INVALIDATE_FLAG_ALL, 0));
        Invalidate(t, "inv_all", nested1, buffers, 1);
        CheckIotlbAll(t, "all_clear1", nested1, 0);

        // attach, replace and destroy order
        t.TestMockDomainReplace("to_nested0", stdev, nested0);
        t.Destroy("nested0_busy", nested0);
        t.Destroy("parent_busy_attached", parent);
        t.TestMockDomainReplace("to_nested1", stdev, nested1);
        t.Destroy("nested1_busy", nested1);
        t.Destroy("nested0_free", nested0);
        MockDomainHandle second = t.TestMockDomain("second_device_on_nested", nested1);
        t.Destroy("second_device_gone", second.StdevId);
        t.TestMockDomainReplace("to_parent", stdev, parent);
        t.Destroy("nested1_free", nested1);
        t.TestMockDomainReplace("to_ioas", stdev, ioas);
        t.Destroy("parent_free", parent);
        t.Destroy("parent_not_work_free", notWork);
        t.IoasAlloc("next_id");
    }
}
