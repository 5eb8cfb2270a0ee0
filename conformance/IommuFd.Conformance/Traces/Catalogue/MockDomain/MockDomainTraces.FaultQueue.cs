using IommuFd.Conformance.Traces.Building;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// Fault queues and I/O page faults (FaultQueueTests): the fault part of iommufd_ioas.alloc_hwpt_nested, and
// the fault fd's read and write protocol, cookies, and the automatic responses when the attachment a page
// request came through ends.
public sealed partial class MockDomainTraces
{
    private IEnumerable<Trace> FaultQueueTraces() => [AllocHwptNestedIopf(), FaultQueue()];

    /// <summary>IOMMU_TEST_OP_TRIGGER_IOPF with the selftest's defaults (pasid 1, grpid 2, perm R|W, addr 0xdeadbeaf).</summary>
    private static StepHandle TriggerIopf(TraceBuilder t, string label, TraceValue dev, uint pasid = 1, uint grpid = 2, uint perm = 3,
                                          ulong addr = 0xdeadbeaf) =>
        t.TestTriggerIopf(label, dev, pasid, grpid, perm, addr);

    /// <summary>A struct iommu_hwpt_page_response: cookie and code.</summary>
    private static byte[] Response(uint cookie, uint code = 0) => [.. BitConverter.GetBytes(cookie), .. BitConverter.GetBytes(code)];

    // iommufd_ioas.alloc_hwpt_nested, mock_domain variant: the fault queue and IOPF part, in the selftest's
    // order (test_cmd_trigger_iopf reads one record and answers its cookie).
    private Trace AllocHwptNestedIopf()
    {
        (TraceBuilder t, NestedBuffers buffers, IoasHandle ioas, MockDomainHandle m) = NestedFixture("alloc-hwpt-nested-iopf");
        TraceValue dev = m.IdevId, stdev = m.StdevId;
        HwptHandle parent = HwptAlloc(t, "parent", dev, ioas, flags: NestParent);
        FdHandle fault = t.FaultQueueAlloc("fault_alloc", 0);
        HwptHandle nested1 = NestedAlloc(t, "nested1", dev, parent, buffers);
        NestedAlloc(t, "iopf_bad_fault_id", dev, parent, buffers, flags: FaultIdValid, faultId: 0xFFFFFFFFu);
        HwptHandle iopf = NestedAlloc(t, "iopf_hwpt", dev, parent, buffers, flags: FaultIdValid, faultId: fault.FaultId);
        t.Destroy("fault_busy", fault.FaultId);
        t.TestMockDomainReplace("to_nested1", stdev, nested1);
        t.TestMockDomainReplace("to_iopf", stdev, iopf);
        t.Destroy("iopf_busy", iopf);
        TriggerIopf(t, "trigger", dev);
        t.FdRead("read", fault.Fd, 40);
        t.FdWrite("respond", fault.Fd, Response(1));
        t.TestMockDomainReplace("to_parent", stdev, parent);
        t.Destroy("nested1_free", nested1);
        t.Destroy("iopf_free", iopf);
        t.TestMockDomainReplace("to_ioas", stdev, ioas);
        t.Destroy("parent_free", parent);
        t.Close("close_fault_fd", fault.Fd);
        t.Destroy("fault_free", fault.FaultId);
        return t.Build();
    }

    private Trace FaultQueue()
    {
        (TraceBuilder t, NestedBuffers buffers, IoasHandle ioas, MockDomainHandle m) = NestedFixture("fault-queue");
        TraceValue dev = m.IdevId, stdev = m.StdevId;
        HwptHandle parent = HwptAlloc(t, "parent", dev, ioas, flags: NestParent);
        FdHandle fault1 = t.FaultQueueAlloc("fault1", 0);
        FdHandle fault2 = t.FaultQueueAlloc("fault2", 0);
        FdHandle neverCreated = t.FaultQueueAlloc("fault_flags", 1);
        HwptHandle iopf1 = NestedAlloc(t, "iopf1", dev, parent, buffers, flags: FaultIdValid, faultId: fault1.FaultId);
        HwptHandle iopf2 = NestedAlloc(t, "iopf2", dev, parent, buffers, flags: FaultIdValid, faultId: fault2.FaultId);
        HwptHandle plain = NestedAlloc(t, "plain", dev, parent, buffers, faultId: fault1.FaultId);
        t.Destroy("fault1_busy", fault1.FaultId);
        t.FdRead("read_empty", fault1.Fd, 40);
        t.FdRead("read_zero_empty", fault1.Fd, 0);
        t.FdRead("read_odd", fault1.Fd, 41);
        t.FdWrite("write_no_cookie", fault1.Fd, Response(1));
        t.FdWrite("write_odd", fault1.Fd, Response(1)[..7]);
        t.FdWrite("write_empty", fault1.Fd, []);
        t.FdRead("read_never_created", neverCreated.Fd, 40);
        TriggerIopf(t, "trigger_on_ioas", dev, pasid: 0);
        t.TestMockDomainReplace("to_plain", stdev, plain);
        TriggerIopf(t, "trigger_on_plain", dev);
        t.TestMockDomainReplace("to_iopf1", stdev, iopf1);
        TriggerIopf(t, "trigger_a", dev, pasid: 0, grpid: 7, perm: 1, addr: 0x1000);
        TriggerIopf(t, "trigger_b", dev);
        TriggerIopf(t, "trigger_c", dev, pasid: 0xFFFFF, grpid: 0xFFFFFFFF, perm: 0xF, addr: U64Max);
        t.FdRead("read_zero_pending", fault1.Fd, 0);
        t.FdRead("read_one", fault1.Fd, 40);
        t.FdRead("read_rest", fault1.Fd, 120);
        t.FdRead("read_drained", fault1.Fd, 40);
        t.FdWrite("write_bad_code", fault1.Fd, Response(1, 2));
        t.FdWrite("write_bad_code_max", fault1.Fd, Response(1, 0xFFFFFFFF));
        t.FdWrite("write_unknown_cookie", fault1.Fd, Response(4));
        t.FdWrite("write_cookie_zero", fault1.Fd, Response(0));
        t.FdWrite("write_partial", fault1.Fd, [.. Response(1), .. Response(4)]);
        t.FdWrite("write_answered", fault1.Fd, Response(1));
        t.FdWrite("write_two", fault1.Fd, [.. Response(2, 1), .. Response(3)]);
        TriggerIopf(t, "trigger_d", dev);
        TriggerIopf(t, "trigger_e", dev, pasid: 0, grpid: 5);
        t.FdRead("read_reuses_cookie", fault1.Fd, 40);
        t.FdRead("read_next_cookie", fault1.Fd, 80);
        TriggerIopf(t, "trigger_unread", dev);
        t.TestMockDomainReplace("to_iopf2", stdev, iopf2);
        t.FdRead("read_after_replace", fault1.Fd, 40);
        t.FdWrite("write_after_replace", fault1.Fd, Response(1));
        TriggerIopf(t, "trigger_to_fault2", dev, grpid: 9);
        t.FdRead("read_fault1_empty", fault1.Fd, 40);
        t.FdRead("read_fault2", fault2.Fd, 40);
        t.TestMockDomainReplace("to_iopf2_again", stdev, iopf2);
        t.FdWrite("write_after_same_replace", fault2.Fd, Response(1));
        t.FdWrite("write_cookie_zero_none_out", fault2.Fd, Response(0));
        TriggerIopf(t, "trigger_pending_on_fault2", dev);
        t.FdRead("read_pending_on_fault2", fault2.Fd, 40);
        MockDomainHandle second = t.TestMockDomain("second_device_on_iopf1", iopf1);
        TriggerIopf(t, "trigger_second_rid", second.IdevId, pasid: 0);
        TriggerIopf(t, "trigger_second_pasid", second.IdevId, pasid: 9);
        t.FdRead("read_second_device", fault1.Fd, 80);
        TriggerIopf(t, "trigger_second_unread", second.IdevId);
        t.Destroy("second_device_gone", second.StdevId);
        t.FdWrite("write_after_device_gone", fault1.Fd, Response(1));
        t.FdRead("read_after_device_gone", fault1.Fd, 40);
        t.Destroy("iopf2_busy", iopf2);
        t.TestMockDomainReplace("to_parent", stdev, parent);
        t.FdWrite("write_after_detach", fault2.Fd, Response(1));
        TriggerIopf(t, "trigger_on_parent", dev, pasid: 0);
        t.Destroy("iopf2_free", iopf2);
        t.Destroy("fault2_busy_fd", fault2.FaultId);
        t.Close("close_fault2", fault2.Fd);
        t.Destroy("fault2_free", fault2.FaultId);
        TriggerIopf(t, "trigger_not_a_device", ioas);
        t.TestMockDomainReplace("to_iopf1_again", stdev, iopf1);
        TriggerIopf(t, "trigger_before_close", dev, grpid: 3);
        t.Close("close_iommufd", TraceFd.Default);
        t.FdRead("read_after_iommufd_closed", fault1.Fd, 80);
        t.FdWrite("write_after_iommufd_closed", fault1.Fd, Response(0));
        t.IoasAlloc("ioctl_on_fault_fd", fault1.Fd);
        t.Close("close_fault1", fault1.Fd);
        return t.Build();
    }
}
