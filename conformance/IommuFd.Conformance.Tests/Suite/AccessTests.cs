using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Tests.Support;
using IommuFd.Conformance.Traces;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 selftests' access cases without a mock domain (iommufd_ioas no_domain:
/// access_rw, access_rw_unaligned, access_pin_unmap) and the access ops' error paths, from the traces
/// conformance/traces/selftest/ioas-access-* (step numbers printed by conformance/tools/tracegen.py).
/// An access is an fd: the traces name it "%K" and results print it as "fd K".</summary>
public sealed class AccessTests(BackendKind backend) : ConformanceFixture(backend)
{
    [TestCase("selftest/ioas-access-rw")]
    [TestCase("selftest/ioas-access-rw-unaligned")]
    public void ReadsAndWritesThroughTheIoas(string trace)
    {
        var r = Replay(trace);
        var steps = TraceFiles.Load(trace).Steps;
        Assert.Multiple(() =>
        {
            Succeeds(r[8]);
            FieldIs(r[8], "create_access.out_access_fd", "fd 1");
            int rw = 0;
            for (int i = 9; i < r.Count; i++)
            {
                Assert.That(r[i].Errno, Is.EqualTo(0), () => $"step {i}: {r[i]}");
                // After each write through the access, the user memory behind the IOVA holds exactly
                // the bytes the write took from the user buffer (the write step just before it).
                if (steps[i] is IoctlStep && steps[i - 1] is WriteStep { Buffer: "t" } written)
                {
                    Assert.That(r[i + 1].Hex, Is.EqualTo(Convert.ToHexStringLower(written.Data)).IgnoreCase, () => $"read-back after step {i}");
                    rw++;
                }
            }
            Assert.That(rw, Is.EqualTo(2 * 75), "writes checked");
        });
    }

    [Test]
    public void UnmapAsksTheAccessToUnpin()
    {
        var r = Replay("selftest/ioas-access-pin-unmap");
        Assert.Multiple(() =>
        {
            Succeeds(r[18]);
            Succeeds(r[20]);
            FieldIs(r[20], "access_pages.out_access_pages_id", 0);
            Succeeds(r[21]);                    // one pin per page
            Succeeds(r[22]);
            FieldIs(r[22], "access_pages.out_access_pages_id", 1);
            Succeeds(r[23]);                    // a second pin of pinned pages adds none
            Succeeds(r[24]);                    // the unmap calls the access's unmap op, then unmaps
            FieldIs(r[24], "length", 16 * TestEnv.PageSize);
            Succeeds(r[25]);
            Fails(r[26], Errno.ENOENT);         // the kernel removed the pins for us
            Fails(r[27], Errno.ENOENT);
            Succeeds(r[30]);                    // a pin across two areas
            Succeeds(r[31]);
            Succeeds(r[32]);                    // unmapping one area drops the whole pin
            Succeeds(r[33]);
            Fails(r[34], Errno.ENOENT);
            FieldIs(r[35], "access_pages.out_access_pages_id", 3); // item IDs are never reused
            Succeeds(r[36]);
            Succeeds(r[37]);                    // closing the access fd unpins
            Succeeds(r[38]);
        });
    }

    [Test]
    public void ErrorPaths()
    {
        var r = Replay("selftest/ioas-access-errors");
        Assert.Multiple(() =>
        {
            Fails(r[11], Errno.EOPNOTSUPP);     // unknown create flags
            Fails(r[12], Errno.ENOENT);
            Fails(r[13], Errno.ENOENT);
            Succeeds(r[14]);
            Succeeds(r[15]);
            Fails(r[16], Errno.EINVAL);         // the access fd has no read
            FieldIs(r[17], "out_ioas_id", 4);   // the accesses took IDs 2 and 3
            Fails(r[18], Errno.EBUSY);          // the access ID is held by its fd
            Fails(r[19], Errno.EBUSY);          // the IOAS by its accesses
            Fails(r[20], Errno.ENOENT);         // an access is no IOAS
            Fails(r[23], Errno.EBADFD);         // the iommufd fd is no access fd
            Fails(r[24], Errno.EBADFD);
            Fails(r[25], Errno.EOPNOTSUPP);     // created without NEEDS_PIN_PAGES
            Fails(r[26], Errno.EOPNOTSUPP);
            Fails(r[27], Errno.ENOMEM);         // over 16 MiB
            Fails(r[28], Errno.EINVAL);
            Fails(r[29], Errno.EOVERFLOW);
            Fails(r[30], Errno.EINVAL);         // not page aligned in the pages
            Fails(r[31], Errno.ENOENT);
            Fails(r[32], Errno.ENOENT);         // runs past the last area
            Fails(r[33], Errno.EPERM);          // write pin of a read-only area
            Fails(r[34], Errno.EBADE);          // pinned pages are not those of uptr
            Fails(r[35], Errno.EFAULT);
            Succeeds(r[36]);                    // failed pins left nothing pinned
            Succeeds(r[37]);
            Succeeds(r[38]);
            Succeeds(r[39]);
            Succeeds(r[40]);
            Fails(r[41], Errno.ENOENT);
            Fails(r[42], Errno.EBADFD);
            Succeeds(r[43]);
            Fails(r[44], Errno.ENOENT);
            Succeeds(r[45]);                    // COPY of a pinned area
            Fails(r[46], Errno.EINVAL);
            Fails(r[47], Errno.EOPNOTSUPP);
            Fails(r[48], Errno.ENOMEM);
            Fails(r[49], Errno.EBADFD);
            Fails(r[50], Errno.EOVERFLOW);
            Fails(r[51], Errno.ENOENT);
            Fails(r[52], Errno.ENOENT);
            Fails(r[53], Errno.EPERM);
            Fails(r[55], Errno.EPERM);          // the writable area before it was written already
            Fails(r[57], Errno.EFAULT);
            Fails(r[58], Errno.EFAULT);
            Succeeds(r[59]);
            Fails(r[62], Errno.ENOENT);
            Succeeds(r[63]);
            Succeeds(r[65]);
            Succeeds(r[66]);                    // replacing the IOAS unpinned everything
            Fails(r[67], Errno.ENOENT);
            Fails(r[68], Errno.ENOENT);
            Fails(r[69], Errno.EINVAL);         // a pinning access aligns its IOAS to PAGE_SIZE
            Succeeds(r[70]);                    // the IOAS it left has only a read/write access
            Fails(r[71], Errno.EADDRINUSE);     // which now has a half-page area
            Fails(r[72], Errno.EINVAL);         // SET_TEMP_MEMORY_LIMIT below 12 bytes
            Succeeds(r[73]);
            Succeeds(r[74]);
            Succeeds(r[76]);                    // another iommufd can use the access fd
            Succeeds(r[78]);                    // the access keeps its closed iommufd alive
            Succeeds(r[79]);
            Succeeds(r[80]);
            Fails(r[81], Errno.EBADFD);
        });
    }
}
