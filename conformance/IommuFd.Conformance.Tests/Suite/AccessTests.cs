using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 selftests' access cases without a mock domain (iommufd_ioas no_domain:
/// access_rw, access_rw_unaligned, access_pin_unmap) and the access ops' error paths, from the traces
/// conformance/traces/selftest/ioas-access-* (SelftestTraces).
/// An access is an fd: the traces name it "%K" and results print it as "fd K".</summary>
public sealed class AccessTests(BackendKind backend) : ConformanceFixture(backend)
{
    [TestCase("selftest/ioas-access-rw")]
    [TestCase("selftest/ioas-access-rw-unaligned")]
    public void ReadsAndWritesThroughTheIoas(string trace)
    {
        var r = Replay(trace);
        Assert.Multiple(() =>
        {
            Succeeds(r["create_access"]);
            FieldIs(r["create_access"], "create_access.out_access_fd", "fd 1");
            foreach (StepResult step in r.Skip(r.Trace.IndexOf("create_access") + 1))
                Assert.That(step.Errno, Is.EqualTo(0), () => step.ToJson());
            int rw = 0;
            foreach (string tag in (string[])["fast", "slow"])
                for (int n = 0; r.Trace.HasLabel($"{tag}_write_{n}"); n++, rw++)
                {
                    // After each write through the access, the user memory behind the IOVA holds exactly
                    // the bytes the write took from the user buffer (the write step just before it).
                    var written = (WriteStep)r.Trace.Steps[r.Trace.IndexOf($"{tag}_write_{n}") - 1];
                    Assert.That(r[$"{tag}_write_{n}_memory"].Hex, Is.EqualTo(Convert.ToHexStringLower(written.Data)).IgnoreCase,
                                () => $"read-back after {tag}_write_{n}");
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
            Succeeds(r["create_access"]);
            Succeeds(r["access_pages"]);
            FieldIs(r["access_pages"], "access_pages.out_access_pages_id", 0);
            Succeeds(r["refs_pinned"]);                    // one pin per page
            Succeeds(r["access_pages_part"]);
            FieldIs(r["access_pages_part"], "access_pages.out_access_pages_id", 1);
            Succeeds(r["refs_still_one"]);                    // a second pin of pinned pages adds none
            Succeeds(r["unmap_notifies"]);                    // the unmap calls the access's unmap op, then unmaps
            FieldIs(r["unmap_notifies"], "length", 16 * TestEnv.PageSize);
            Succeeds(r["refs_unpinned"]);
            Fails(r["destroy_pages_gone"], Errno.ENOENT);         // the kernel removed the pins for us
            Fails(r["destroy_part_gone"], Errno.ENOENT);
            Succeeds(r["pin_across"]);                    // a pin across two areas
            Succeeds(r["refs_across"]);
            Succeeds(r["unmap_lo"]);                    // unmapping one area drops the whole pin
            Succeeds(r["refs_hi_unpinned"]);
            Fails(r["destroy_across_gone"], Errno.ENOENT);
            FieldIs(r["pin_hi_id"], "access_pages.out_access_pages_id", 3); // item IDs are never reused
            Succeeds(r["close_unpins"]);
            Succeeds(r["refs_after_close"]);                    // closing the access fd unpins
            Succeeds(r["unmap_all"]);
        });
    }

    [Test]
    public void ErrorPaths()
    {
        var r = Replay("selftest/ioas-access-errors");
        Assert.Multiple(() =>
        {
            Fails(r["create_bad_flags"], Errno.EOPNOTSUPP);     // unknown create flags
            Fails(r["create_no_ioas"], Errno.ENOENT);
            Fails(r["create_id_zero"], Errno.ENOENT);
            Succeeds(r["create_pin"]);
            Succeeds(r["create_rw"]);
            Fails(r["read_access_fd"], Errno.EINVAL);         // the access fd has no read
            FieldIs(r["ioas_after_access"], "out_ioas_id", 4);   // the accesses took IDs 2 and 3
            Fails(r["destroy_access_id_busy"], Errno.EBUSY);          // the access ID is held by its fd
            Fails(r["destroy_ioas_busy"], Errno.EBUSY);          // the IOAS by its accesses
            Fails(r["create_on_access_id"], Errno.ENOENT);         // an access is no IOAS
            Fails(r["pages_on_iommufd_fd"], Errno.EBADFD);         // the iommufd fd is no access fd
            Fails(r["pages_fd_not_open"], Errno.EBADFD);
            Fails(r["pages_rw_only_access"], Errno.EOPNOTSUPP);     // created without NEEDS_PIN_PAGES
            Fails(r["pages_bad_flags"], Errno.EOPNOTSUPP);
            Fails(r["pages_too_long"], Errno.ENOMEM);         // over 16 MiB
            Fails(r["pages_zero_length"], Errno.EINVAL);
            Fails(r["pages_overflow"], Errno.EOVERFLOW);
            Fails(r["pages_unaligned"], Errno.EINVAL);         // not page aligned in the pages
            Fails(r["pages_unmapped"], Errno.ENOENT);
            Fails(r["pages_past_end"], Errno.ENOENT);         // runs past the last area
            Fails(r["pages_write_readonly"], Errno.EPERM);          // write pin of a read-only area
            Fails(r["pages_wrong_uptr"], Errno.EBADE);          // pinned pages are not those of uptr
            Fails(r["pages_unmapped_uptr"], Errno.EFAULT);
            Succeeds(r["refs_nothing_pinned"]);                    // failed pins left nothing pinned
            Succeeds(r["pages_across_areas"]);
            Succeeds(r["pages_readonly_read"]);
            Succeeds(r["pages_write"]);
            Succeeds(r["refs_pinned"]);
            Fails(r["destroy_pages_unknown"], Errno.ENOENT);
            Fails(r["destroy_pages_bad_fd"], Errno.EBADFD);
            Succeeds(r["destroy_pages"]);
            Fails(r["destroy_pages_again"], Errno.ENOENT);
            Succeeds(r["copy_pinned"]);                    // COPY of a pinned area
            Fails(r["rw_zero_length"], Errno.EINVAL);
            Fails(r["rw_bad_flags"], Errno.EOPNOTSUPP);
            Fails(r["rw_too_long"], Errno.ENOMEM);
            Fails(r["rw_bad_fd"], Errno.EBADFD);
            Fails(r["rw_overflow"], Errno.EOVERFLOW);
            Fails(r["rw_unmapped"], Errno.ENOENT);
            Fails(r["rw_past_end"], Errno.ENOENT);
            Fails(r["rw_write_readonly"], Errno.EPERM);
            Fails(r["rw_write_into_readonly"], Errno.EPERM);          // the writable area before it was written already
            Fails(r["rw_read_bad_uptr"], Errno.EFAULT);
            Fails(r["rw_write_bad_uptr"], Errno.EFAULT);
            Succeeds(r["rw_pin_access_slow"]);
            Fails(r["replace_no_ioas"], Errno.ENOENT);
            Succeeds(r["replace_same"]);
            Succeeds(r["replace"]);
            Succeeds(r["refs_replace_unpinned"]);                    // replacing the IOAS unpinned everything
            Fails(r["destroy_pages_after_replace"], Errno.ENOENT);
            Fails(r["pages_new_ioas_empty"], Errno.ENOENT);
            Fails(r["map_half_page_pinning_access"], Errno.EINVAL);         // a pinning access aligns its IOAS to PAGE_SIZE
            Succeeds(r["map_half_page_rw_access"]);                    // the IOAS it left has only a read/write access
            Fails(r["create_pin_unaligned"], Errno.EADDRINUSE);     // which now has a half-page area
            Fails(r["memory_limit_too_small"], Errno.EINVAL);         // SET_TEMP_MEMORY_LIMIT below 12 bytes
            Succeeds(r["memory_limit_minimum"]);
            Succeeds(r["memory_limit_default"]);
            Succeeds(r["rw_from_other_iommufd"]);                    // another iommufd can use the access fd
            Succeeds(r["rw_after_iommufd_closed"]);                    // the access keeps its closed iommufd alive
            Succeeds(r["close_pin_access"]);
            Succeeds(r["close_rw_access"]);
            Fails(r["rw_closed_access"], Errno.EBADFD);
        });
    }
}
