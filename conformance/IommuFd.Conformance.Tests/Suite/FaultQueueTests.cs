using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Tests.Support;
using IommuFd.Conformance.Traces;
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
            Succeeds(r[8]);
            FieldIs(r[8], "out_fault_fd", "fd 1");
            FieldIs(r[8], "out_fault_id", 6);
            Fails(r[10], Errno.ENOENT);      // FAULT_ID_VALID with no such fault queue
            Succeeds(r[11]);                 // a nested HWPT carries the fault queue
            Fails(r[12], Errno.EBUSY);       // the fd and the HWPT hold the queue
            Succeeds(r[14]);
            Fails(r[15], Errno.EBUSY);
            Succeeds(r[16]);                 // TRIGGER_IOPF: pasid 1, grpid 2, perm R|W
            Succeeds(r[17], 40);
            Assert.That(Words(r[17]), Is.EqualTo(Record(3, 3, 1, 2, 3, 0xdeadbeaf, 1))); // LAST_PAGE|PASID_VALID, cookie 1
            Succeeds(r[18], 8);              // the response for cookie 1
            for (int k = 19; k <= 25; k++)
                Succeeds(r[k]);              // detach, destroy in order, close the fd, destroy the queue
        });
    }

    [Test]
    public void ReadAndWriteSizes()
    {
        var r = Replay("mockdomain/fault-queue");
        Assert.Multiple(() =>
        {
            Succeeds(r[8]);
            Succeeds(r[9]);
            FieldIs(r[9], "out_fault_fd", "fd 2");
            Fails(r[10], Errno.EOPNOTSUPP);  // flags
            Succeeds(r[11]);
            Succeeds(r[12]);
            Succeeds(r[13]);                 // fault_id without FAULT_ID_VALID is ignored
            Fails(r[14], Errno.EBUSY);
            Succeeds(r[15], 0);              // nothing queued: 0 at once, no blocking
            Succeeds(r[16], 0);
            Fails(r[17], ESPIPE);            // not a multiple of the record size
            Fails(r[18], Errno.EINVAL);      // no cookie handed out
            Fails(r[19], ESPIPE);            // not a multiple of the response size
            Succeeds(r[20], 0);
            Fails(r[21], Errno.EBADF);       // the failed allocation made no fd
        });
    }

    [Test]
    public void RequestsAndCookies()
    {
        var r = Replay("mockdomain/fault-queue");
        Assert.Multiple(() =>
        {
            Succeeds(r[22]);                 // attached to the IOAS's automatic HWPT: dropped
            Succeeds(r[24]);                 // a nested HWPT without a queue: dropped
            Succeeds(r[26]);
            Fails(r[29], Errno.EINVAL);      // a zero-length read with a request waiting
            Succeeds(r[30], 40);             // one record per read of 40 bytes
            Assert.That(Words(r[30]), Is.EqualTo(Record(2, 3, 0, 7, 1, 0x1000, 1))); // no PASID: LAST_PAGE only
            Succeeds(r[31], 80);             // only whole records: two of the three slots
            Assert.That(Words(r[31]), Is.EqualTo(Record(3, 3, 1, 2, 3, 0xdeadbeaf, 2)
                .Concat(Record(3, 3, 0xFFFFF, 0xFFFFFFFF, 0xF, ulong.MaxValue, 3))));
            Succeeds(r[32], 0);
            Fails(r[33], Errno.EINVAL);      // code 2
            Fails(r[34], Errno.EINVAL);
            Fails(r[35], Errno.EINVAL);      // cookie 4 was never handed out
            Fails(r[36], Errno.EINVAL);      // cookie 0 was never handed out, but the erase frees index 0 (below)
            Succeeds(r[37], 8);              // the first response counts, the bad second stops the write
            Fails(r[38], Errno.EINVAL);      // cookie 1 is answered
            Succeeds(r[39], 16);             // SUCCESS and INVALID are both answers
            // The response with cookie 0 (step 36), while cookies were out, erased the xarray's zero
            // entry (XA_FLAGS_ALLOC1): 0 is now the lowest free cookie of this queue.
            Succeeds(r[42], 40);
            Assert.That(Words(r[42])[4] >> 32, Is.EqualTo(0UL));
            Succeeds(r[43], 40);
            Assert.That(Words(r[43])[4] >> 32, Is.EqualTo(1UL));
        });
    }

    [Test]
    public void EndingAnAttachmentAnswersItsRequests()
    {
        var r = Replay("mockdomain/fault-queue");
        Assert.Multiple(() =>
        {
            Succeeds(r[45]);                 // replace onto another fault queue's HWPT
            Succeeds(r[46], 0);              // the unread request went with the attachment
            Fails(r[47], Errno.EINVAL);      // and the read ones' cookies
            Succeeds(r[49], 0);
            Succeeds(r[50], 40);             // the new attachment delivers to the other queue
            Assert.That(Words(r[50]), Is.EqualTo(Record(3, 3, 1, 9, 3, 0xdeadbeaf, 1)));
            Succeeds(r[51]);                 // replace onto the same HWPT changes nothing
            Succeeds(r[52], 8);
            Fails(r[53], Errno.EINVAL);      // cookie 0 with no cookie out: nothing to erase
            Succeeds(r[55], 40);
            Assert.That(Words(r[55])[4] >> 32, Is.EqualTo(1UL), "so queue 2 still starts at 1");
            Succeeds(r[56]);
            FieldIs(r[56], "mock_domain.out_hwpt_id", 8);
            Succeeds(r[59], 80);             // a second device (ID 11: the automatic HWPT 4 went at step 23, the selftest object took 4)
            Assert.That(Words(r[59]), Is.EqualTo(Record(2, 11, 0, 2, 3, 0xdeadbeaf, 0)
                .Concat(Record(3, 11, 9, 2, 3, 0xdeadbeaf, 1))));
            Succeeds(r[61]);                 // destroying the device answers its requests
            Fails(r[62], Errno.EINVAL);      // response(1): answered automatically
            Succeeds(r[63], 0);
            Fails(r[64], Errno.EBUSY);
            Succeeds(r[65]);                 // detach (replace onto the parent) answers cookie 1 of queue 2
            Fails(r[66], Errno.EINVAL);
            Succeeds(r[67]);
            Succeeds(r[68]);
            Fails(r[69], Errno.EBUSY);       // the fd still holds the queue
            Succeeds(r[70]);
            Succeeds(r[71]);
            Fails(r[72], Errno.ENOENT);      // TRIGGER_IOPF wants a device
            Succeeds(r[74]);
            Succeeds(r[75]);                 // closing the iommufd: the fault fd keeps the context
            Succeeds(r[76], 40);
            Assert.That(Words(r[76]), Is.EqualTo(Record(3, 3, 1, 3, 3, 0xdeadbeaf, 0)));
            Succeeds(r[77], 8);
            Fails(r[78], Errno.ENOTTY);      // the fault fd has no ioctls
            Succeeds(r[79]);
        });
    }

    [Test]
    public void PreadAndPwriteAreEspipe()
    {
        // The selftest's fault part up to TRIGGER_IOPF: a record waits on trace fd 1.
        Trace full = TraceFiles.Load("mockdomain/alloc-hwpt-nested-iopf");
        string head = string.Concat(full.ToJsonLines().Split('\n').Take(17).Select(l => l + "\n"));
        Trace trace = Trace.Parse("fault-fd-pread", head);
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
            Succeeds(r[16]);
            Assert.That(pread0, Is.EqualTo(-ESPIPE), "anon-inode files have no FMODE_PREAD");
            Assert.That(pread40, Is.EqualTo(-ESPIPE));
            Assert.That(pwrite0, Is.EqualTo(-ESPIPE));
            Assert.That(read, Is.EqualTo(40), "the record was still there");
        });
    }
}
