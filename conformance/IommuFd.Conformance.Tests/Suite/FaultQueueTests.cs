using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>Fault queues and I/O page faults (6.12 fault.c, selftest.c TRIGGER_IOPF): the fault
/// part of iommufd_ioas.alloc_hwpt_nested (mockdomain/alloc-hwpt-nested-iopf) and the fault fd's
/// protocol (mockdomain/fault-queue): 40-byte iommu_hwpt_pgfault records with cookies, 8-byte
/// iommu_hwpt_page_response writes, and the automatic answers when an attachment ends.</summary>
public sealed class FaultQueueTests(BackendKind backend) : MockDomainFixture(backend)
{
    private const int ESPIPE = 29;

    /// <summary>A record as five little-endian words: flags|dev_id, pasid|grpid, perm, addr, length|cookie.</summary>
    private static ulong[] Record(uint flags, ulong devId, uint pasid, uint grpid, uint perm, ulong addr, uint cookie) =>
        [flags | (devId << 32), pasid | ((ulong)grpid << 32), perm, addr, (ulong)cookie << 32];

    [Test]
    public void SelftestFaultPart()
    {
        var r = Replay("mockdomain/alloc-hwpt-nested-iopf");
        Assert.Multiple(() =>
        {
            Succeeds(r["fault_alloc"]);
            FieldIs(r["fault_alloc"], "out_fault_fd", "fd 1");
            FieldIs(r["fault_alloc"], "out_fault_id", 6);
            Fails(r["iopf_bad_fault_id"], Errno.ENOENT);  // FAULT_ID_VALID with no such fault queue
            Succeeds(r["iopf_hwpt"]);        // a nested HWPT carries the fault queue
            Fails(r["fault_busy"], Errno.EBUSY);  // the fd and the HWPT hold the queue
            Succeeds(r["to_iopf"]);
            Fails(r["iopf_busy"], Errno.EBUSY);
            Succeeds(r["trigger"]);          // TRIGGER_IOPF: pasid 1, grpid 2, perm R|W
            Succeeds(r["read"], 40);
            Assert.That(Words(r["read"]), Is.EqualTo(Record(3, 3, 1, 2, 3, 0xdeadbeaf, 1)));  // LAST_PAGE|PASID_VALID, cookie 1
            Succeeds(r["respond"], 8);       // the response for cookie 1
            foreach (string step in new[] { "to_parent", "nested1_free", "iopf_free", "to_ioas", "parent_free", "close_fault_fd", "fault_free" })
                Succeeds(r[step]);           // detach, destroy in order, close the fd, destroy the queue
        });
    }

    [Test]
    public void ReadAndWriteSizes()
    {
        var r = Replay("mockdomain/fault-queue");
        Assert.Multiple(() =>
        {
            Succeeds(r["fault1"]);
            Succeeds(r["fault2"]);
            FieldIs(r["fault2"], "out_fault_fd", "fd 2");
            Fails(r["fault_flags"], Errno.EOPNOTSUPP);  // flags
            Succeeds(r["iopf1"]);
            Succeeds(r["iopf2"]);
            Succeeds(r["plain"]);            // fault_id without FAULT_ID_VALID is ignored
            Fails(r["fault1_busy"], Errno.EBUSY);
            Succeeds(r["read_empty"], 0);    // nothing queued: 0 at once, no blocking
            Succeeds(r["read_zero_empty"], 0);
            Fails(r["read_odd"], ESPIPE);    // not a multiple of the record size
            Fails(r["write_no_cookie"], Errno.EINVAL);  // no cookie handed out
            Fails(r["write_odd"], ESPIPE);   // not a multiple of the response size
            Succeeds(r["write_empty"], 0);
            Fails(r["read_never_created"], Errno.EBADF);  // the failed allocation made no fd
        });
    }

    [Test]
    public void RequestsAndCookies()
    {
        var r = Replay("mockdomain/fault-queue");
        Assert.Multiple(() =>
        {
            Succeeds(r["trigger_on_ioas"]);  // attached to the IOAS's automatic HWPT: dropped
            Succeeds(r["trigger_on_plain"]);  // a nested HWPT without a queue: dropped
            Succeeds(r["trigger_a"]);
            Fails(r["read_zero_pending"], Errno.EINVAL);  // a zero-length read with a request waiting
            Succeeds(r["read_one"], 40);     // one record per read of 40 bytes
            Assert.That(Words(r["read_one"]), Is.EqualTo(Record(2, 3, 0, 7, 1, 0x1000, 1)));  // no PASID: LAST_PAGE only
            Succeeds(r["read_rest"], 80);    // only whole records: two of the three slots
            Assert.That(Words(r["read_rest"]), Is.EqualTo(Record(3, 3, 1, 2, 3, 0xdeadbeaf, 2)
                .Concat(Record(3, 3, 0xFFFFF, 0xFFFFFFFF, 0xF, ulong.MaxValue, 3))));
            Succeeds(r["read_drained"], 0);
            Fails(r["write_bad_code"], Errno.EINVAL);  // code 2
            Fails(r["write_bad_code_max"], Errno.EINVAL);
            Fails(r["write_unknown_cookie"], Errno.EINVAL);  // cookie 4 was never handed out
            Fails(r["write_cookie_zero"], Errno.EINVAL);  // cookie 0 was never handed out, but the erase frees index 0 (below)
            Succeeds(r["write_partial"], 8);  // the first response counts, the bad second stops the write
            Fails(r["write_answered"], Errno.EINVAL);  // cookie 1 is answered
            Succeeds(r["write_two"], 16);    // SUCCESS and INVALID are both answers
            // The response with cookie 0 (step 36), while cookies were out, erased the xarray's zero
            // entry (XA_FLAGS_ALLOC1): 0 is now the lowest free cookie of this queue.
            Succeeds(r["read_reuses_cookie"], 40);
            Assert.That(Words(r["read_reuses_cookie"])[4] >> 32, Is.EqualTo(0UL));
            Succeeds(r["read_next_cookie"], 40);
            Assert.That(Words(r["read_next_cookie"])[4] >> 32, Is.EqualTo(1UL));
        });
    }

    [Test]
    public void EndingAnAttachmentAnswersItsRequests()
    {
        var r = Replay("mockdomain/fault-queue");
        Assert.Multiple(() =>
        {
            Succeeds(r["to_iopf2"]);         // replace onto another fault queue's HWPT
            Succeeds(r["read_after_replace"], 0);  // the unread request went with the attachment
            Fails(r["write_after_replace"], Errno.EINVAL);  // and the read ones' cookies
            Succeeds(r["read_fault1_empty"], 0);
            Succeeds(r["read_fault2"], 40);  // the new attachment delivers to the other queue
            Assert.That(Words(r["read_fault2"]), Is.EqualTo(Record(3, 3, 1, 9, 3, 0xdeadbeaf, 1)));
            Succeeds(r["to_iopf2_again"]);   // replace onto the same HWPT changes nothing
            Succeeds(r["write_after_same_replace"], 8);
            Fails(r["write_cookie_zero_none_out"], Errno.EINVAL);  // cookie 0 with no cookie out: nothing to erase
            Succeeds(r["read_pending_on_fault2"], 40);
            Assert.That(Words(r["read_pending_on_fault2"])[4] >> 32, Is.EqualTo(1UL), "so queue 2 still starts at 1");
            Succeeds(r["second_device_on_iopf1"]);
            FieldIs(r["second_device_on_iopf1"], "mock_domain.out_hwpt_id", 8);
            Succeeds(r["read_second_device"], 80);  // a second device (ID 11: the automatic HWPT 4 went at step 23, the selftest object took 4)
            Assert.That(Words(r["read_second_device"]), Is.EqualTo(Record(2, 11, 0, 2, 3, 0xdeadbeaf, 0)
                .Concat(Record(3, 11, 9, 2, 3, 0xdeadbeaf, 1))));
            Succeeds(r["second_device_gone"]);  // destroying the device answers its requests
            Fails(r["write_after_device_gone"], Errno.EINVAL);  // response(1): answered automatically
            Succeeds(r["read_after_device_gone"], 0);
            Fails(r["iopf2_busy"], Errno.EBUSY);
            Succeeds(r["to_parent"]);        // detach (replace onto the parent) answers cookie 1 of queue 2
            Fails(r["write_after_detach"], Errno.EINVAL);
            Succeeds(r["trigger_on_parent"]);
            Succeeds(r["iopf2_free"]);
            Fails(r["fault2_busy_fd"], Errno.EBUSY);  // the fd still holds the queue
            Succeeds(r["close_fault2"]);
            Succeeds(r["fault2_free"]);
            Fails(r["trigger_not_a_device"], Errno.ENOENT);  // TRIGGER_IOPF wants a device
            Succeeds(r["trigger_before_close"]);
            Succeeds(r["close_iommufd"]);    // closing the iommufd: the fault fd keeps the context
            Succeeds(r["read_after_iommufd_closed"], 40);
            Assert.That(Words(r["read_after_iommufd_closed"]), Is.EqualTo(Record(3, 3, 1, 3, 3, 0xdeadbeaf, 0)));
            Succeeds(r["write_after_iommufd_closed"], 8);
            Fails(r["ioctl_on_fault_fd"], Errno.ENOTTY);  // the fault fd has no ioctls
            Succeeds(r["close_fault1"]);
        });
    }

    [Test]
    public void PreadAndPwriteAreEspipe()
    {
        // The selftest's fault part up to TRIGGER_IOPF: a record waits on trace fd 1.
        Trace full = TraceFiles.Load("mockdomain/alloc-hwpt-nested-iopf");
        Trace trace = new("fault-fd-pread", full.Steps.Take(full.IndexOf("trigger") + 1).ToList());
        long pread0 = 0, pread40 = 0, pwrite0 = 0, read = 0;
        var r = TraceReplayer.Replay(Backend, trace, fds =>
        {
            var buffer = new byte[40];
            pread0 = Backend.Read(fds[1], buffer, offset: 0);
            pread40 = Backend.Read(fds[1], buffer, offset: 40);
            pwrite0 = Backend.Write(fds[1], new byte[8], offset: 0);
            read = Backend.Read(fds[1], buffer);
        });
        Assert.Multiple(() =>
        {
            Succeeds(r["trigger"]);
            Assert.That(pread0, Is.EqualTo(-ESPIPE), "anon-inode files have no FMODE_PREAD");
            Assert.That(pread40, Is.EqualTo(-ESPIPE));
            Assert.That(pwrite0, Is.EqualTo(-ESPIPE));
            Assert.That(read, Is.EqualTo(40), "the record was still there");
        });
    }
}
