using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 <c>iommufd_mock_domain</c> cases basic, all_aligns, all_aligns_copy, ro_unshare,
/// user_copy, replace and alloc_hwpt for the variants one_domain, two_domains, one_domain_hugepage and
/// two_domains_hugepage (mmap_buf is 4 MiB of MAP_HUGETLB memory: the kernel side needs reserved huge
/// pages, which the test VM has), from the traces mockdomain/CASE-VARIANT (MockDomainTraces). Every
/// trace starts with the selftests' 16-page buffer, the IOAS ("ioas") and one mock device per domain
/// ("mock_domain0", "mock_domain1"), and ends with teardown_iommufd: close, reopen, no page of the buffer
/// pinned ("teardown_refs").</summary>
public sealed class MockDomainVariantTests(BackendKind backend) : MockDomainFixture(backend)
{
    private const ulong Page = TestEnv.PageSize, MockPage = TestEnv.MockPageSize, BufferLength = 8 * Page;

    /// <summary>The variants: trace suffix and number of mock devices.</summary>
    public static IEnumerable<TestCaseData> Variants() =>
        new (string Name, int Domains)[] { ("one-domain", 1), ("two-domains", 2), ("one-domain-hugepage", 1), ("two-domains-hugepage", 2) }
            .Select(v => new TestCaseData(v.Name, v.Domains).SetArgDisplayNames(v.Name));

    // As 6.12 writes all_aligns for the hugepage variants, end starts at buf_size and the inner loop never
    // runs; the traces add the body once per start (16 starts, end = buf_size) beyond the selftest.
    private static int SweepMaps(string variant) => variant.EndsWith("-hugepage", StringComparison.Ordinal) ? 16 : 120;

    [TestCaseSource(nameof(Variants))]
    public void Basic(string variant, int domains)
    {
        var r = Replay($"mockdomain/basic-{variant}");
        Assert.Multiple(() =>
        {
            CheckFixture(r, domains);
            Succeeds(r["map_one_page"]);
            for (int k = 0; k < domains; k++)
                Succeeds(r[$"check_one_page_hwpt{k}"]);  // MD_CHECK_MAP through every hwpt_id
            Fails(r["map_half_gone"], Errno.EFAULT);     // the buffer's second half is gone: EFAULT half way
            Fails(r["map_all_gone"], Errno.EFAULT);      // and now its first page
            Succeeds(r["teardown_refs"]);
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void AllAligns(string variant, int domains)
    {
        Trace trace = TraceFiles.Load($"mockdomain/all-aligns-{variant}");
        var r = Replay(trace);
        Assert.Multiple(() =>
        {
            CheckFixture(r, domains);
            AllSucceed(r, from: "mock_domain0");
            // Every start and end in 2 KiB steps inside the 8-page buffer, end < buffer end: 15+14+...+0
            // (hugepage: the 16 starts of the body beyond the selftest).
            Assert.That(CountOf(trace, "IOMMU_IOAS_MAP"), Is.EqualTo(SweepMaps(variant)));
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void AllAlignsCopy(string variant, int domains)
    {
        Trace trace = TraceFiles.Load($"mockdomain/all-aligns-copy-{variant}");
        var r = Replay(trace);
        ulong hwpt = Number(r["mock_domain0"], "mock_domain.out_hwpt_id");
        string[] added = trace.Steps.Select(s => s.Label).OfType<string>().Where(l => l.StartsWith("add_", StringComparison.Ordinal)).ToArray();
        Assert.Multiple(() =>
        {
            CheckFixture(r, domains);
            AllSucceed(r, from: "mock_domain0");
            Assert.That(added, Has.Length.EqualTo(SweepMaps(variant)));
            foreach (string step in added)
            {
                // The added device joins the automatic HWPT already on the IOAS, and its IDs are the
                // lowest free ones each round (the last round's device was destroyed).
                FieldIs(r[step], "mock_domain.out_hwpt_id", hwpt);
                FieldIs(r[step], "mock_domain.out_stdev_id", Number(r[added[0]], "mock_domain.out_stdev_id"));
            }
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void RoUnshare(string variant, int domains)
    {
        var r = Replay($"mockdomain/ro-unshare-{variant}");
        Assert.Multiple(() =>
        {
            CheckFixture(r, domains);
            AllSucceed(r, from: "mock_domain0", except: ["map_ro_writeable"]);
            // The page a read-only pin took is the one the process writes later: the pin unshared it.
            for (int k = 0; k < domains; k++)
                Succeeds(r[$"check_after_write_hwpt{k}"]);
            // A private file page made PROT_READ: a readable pin works, a writeable one faults.
            Fails(r["map_ro_writeable"], Errno.EFAULT);
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void UserCopy(string variant, int domains)
    {
        var r = Replay($"mockdomain/user-copy-{variant}");
        Assert.Multiple(() =>
        {
            CheckFixture(r, domains);
            // Pin in a domain-less IOAS, COPY into the fixture's IOAS, MD_CHECK_MAP through every
            // hwpt_id, replace the access's IOAS, unmap, destroy the old IOAS, and all of it again.
            AllSucceed(r, from: "mock_domain0");
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void Replace(string variant, int domains)
    {
        var r = Replay($"mockdomain/replace-{variant}");
        ulong fixtureHwpt = Number(r["mock_domain0"], "mock_domain.out_hwpt_id");
        Assert.Multiple(() =>
        {
            CheckFixture(r, domains);
            if (domains == 1)
            {
                // The only device left the automatic HWPT: it died with the move.
                AllSucceed(r, from: "mock_domain0", except: ["to_freed_hwpt"]);
                Fails(r["to_freed_hwpt"], Errno.ENOENT);
            }
            else
            {
                // The second device keeps the automatic HWPT alive: the first goes back to it through
                // hwpt_ids[1] (twice: attaching to the HWPT it is on is a no-op) and hwpt_ids[0].
                AllSucceed(r, from: "mock_domain0");
                foreach (string step in new[] { "to_hwpt1", "to_hwpt1_again", "to_hwpt0" })
                    FieldIs(r[step], "mock_domain_replace.pt_id", fixtureHwpt);
            }
            // A new automatic HWPT on the second IOAS, while the old ID is still taken.
            Assert.That(Number(r["to_ioas2"], "mock_domain_replace.pt_id"), Is.Not.EqualTo(fixtureHwpt));
            // Back on the fixture's IOAS: the lowest free ID (one_domain) or the HWPT still there (two_domains).
            FieldIs(r["back"], "mock_domain_replace.pt_id", fixtureHwpt);
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void AllocHwpt(string variant, int domains)
    {
        var r = Replay($"mockdomain/alloc-hwpt-{variant}");
        ulong fixtureHwpt = Number(r["mock_domain0"], "mock_domain.out_hwpt_id");
        Assert.Multiple(() =>
        {
            CheckFixture(r, domains);
            for (int n = 0; n < domains; n++)
            {
                Fails(r[$"bad_flags{n}"], Errno.EOPNOTSUPP);       // every flag but NEST_PARENT
                Succeeds(r[$"hwpt0_{n}"]);
                Succeeds(r[$"hwpt1_nest_parent_{n}"]);
                Succeeds(r[$"to_hwpt0_{n}"]);
                Fails(r[$"hwpt0_busy_{n}"], Errno.EBUSY);          // the plain HWPT has the device
                Succeeds(r[$"to_hwpt1_{n}"]);
                Fails(r[$"hwpt1_busy_{n}"], Errno.EBUSY);          // the NEST_PARENT one has it now
                Succeeds(r[$"to_ioas_{n}"]);
                FieldIs(r[$"to_ioas_{n}"], "mock_domain_replace.pt_id", fixtureHwpt);
                foreach (string step in new[] { "hwpt1_free", "on_hwpt0", "stdev_added", "hwpt0_free" })
                    Succeeds(r[$"{step}_{n}"]);
                FieldIs(r[$"on_hwpt0_{n}"], "mock_domain.out_hwpt_id", Number(r[$"hwpt0_{n}"], "out_hwpt_id"));
            }
            AllSucceed(r, from: "teardown_close");
        });
    }

    // The fixture: one mock device per domain, the second on the first's automatic HWPT.
    private static void CheckFixture(ReplayResults r, int domains)
    {
        Succeeds(r["ioas"]);
        for (int k = 0; k < domains; k++)
        {
            Succeeds(r[$"mock_domain{k}"]);
            FieldIs(r[$"mock_domain{k}"], "mock_domain.out_hwpt_id", Number(r["mock_domain0"], "mock_domain.out_hwpt_id"));
        }
    }

    private static int CountOf(Trace trace, string command) => trace.Steps.Count(s => s is IoctlStep step && step.Command == command);
}
