using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Tests.Support;
using IommuFd.Conformance.Traces;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 <c>iommufd_mock_domain</c> cases basic, all_aligns, all_aligns_copy, ro_unshare,
/// user_copy, replace and alloc_hwpt for the variants one_domain, two_domains, one_domain_hugepage and
/// two_domains_hugepage (mmap_buf is 4 MiB of MAP_HUGETLB memory: the kernel side needs reserved huge
/// pages, which the test VM has), from the traces mockdomain/CASE-VARIANT (step numbers
/// printed by conformance/tools/tracegen.py). Every trace starts with the selftests' 16-page buffer
/// (steps 0-16), the IOAS (17) and one mock device per domain (18, 19), and ends with teardown_iommufd:
/// close, reopen, no page of the buffer pinned.</summary>
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
        int map = 18 + domains;
        Assert.Multiple(() =>
        {
            CheckFixture(r, domains);
            Succeeds(r[map]);
            for (int k = 1; k <= domains; k++)
                Succeeds(r[map + k]);                    // MD_CHECK_MAP through every hwpt_id
            Fails(r[map + domains + 3], Errno.EFAULT);   // the buffer's second half is gone: EFAULT half way
            Fails(r[map + domains + 5], Errno.EFAULT);   // and now its first page
            Succeeds(r[^1]);
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
            AllSucceed(r, from: 18);
            // Every start and end in 2 KiB steps inside the 8-page buffer, end < buffer end: 15+14+...+0
            // (hugepage: the 16 starts of the body beyond the selftest).
            Assert.That(StepsOf(trace, "IOMMU_IOAS_MAP").Count(), Is.EqualTo(SweepMaps(variant)));
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void AllAlignsCopy(string variant, int domains)
    {
        Trace trace = TraceFiles.Load($"mockdomain/all-aligns-copy-{variant}");
        var r = Replay(trace);
        ulong hwpt = Number(r[18], "mock_domain.out_hwpt_id");
        int[] added = StepsOf(trace, "IOMMU_TEST_CMD").Where(i => Op(trace, i) == 2 && i > 17 + domains).ToArray();
        Assert.Multiple(() =>
        {
            CheckFixture(r, domains);
            AllSucceed(r, from: 18);
            Assert.That(added, Has.Length.EqualTo(SweepMaps(variant)));
            foreach (int step in added)
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
        int map = 19 + domains;
        int writeableOnReadOnly = map + 3 * domains + 7;
        Assert.Multiple(() =>
        {
            CheckFixture(r, domains);
            AllSucceed(r, from: 18, except: writeableOnReadOnly);
            // The page a read-only pin took is the one the process writes later: the pin unshared it.
            Succeeds(r[map + 2 * domains + 1]);
            // A private file page made PROT_READ: a readable pin works, a writeable one faults.
            Fails(r[writeableOnReadOnly], Errno.EFAULT);
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
            AllSucceed(r, from: 18);
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void Replace(string variant, int domains)
    {
        var r = Replay($"mockdomain/replace-{variant}");
        ulong fixtureHwpt = Number(r[18], "mock_domain.out_hwpt_id");
        int toIoas2 = 19 + domains, back = toIoas2 + (domains == 1 ? 3 : 5);
        Assert.Multiple(() =>
        {
            CheckFixture(r, domains);
            if (domains == 1)
            {
                // The only device left the automatic HWPT: it died with the move.
                AllSucceed(r, from: 18, except: toIoas2 + 1);
                Fails(r[toIoas2 + 1], Errno.ENOENT);
            }
            else
            {
                // The second device keeps the automatic HWPT alive: the first goes back to it through
                // hwpt_ids[1] (twice: attaching to the HWPT it is on is a no-op) and hwpt_ids[0].
                AllSucceed(r, from: 18);
                for (int step = toIoas2 + 2; step <= toIoas2 + 4; step++)
                    FieldIs(r[step], "mock_domain_replace.pt_id", fixtureHwpt);
            }
            // A new automatic HWPT on the second IOAS, while the old ID is still taken.
            Assert.That(Number(r[toIoas2], "mock_domain_replace.pt_id"), Is.Not.EqualTo(fixtureHwpt));
            // Back on the fixture's IOAS: the lowest free ID (one_domain) or the HWPT still there (two_domains).
            FieldIs(r[back], "mock_domain_replace.pt_id", fixtureHwpt);
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void AllocHwpt(string variant, int domains)
    {
        var r = Replay($"mockdomain/alloc-hwpt-{variant}");
        ulong fixtureHwpt = Number(r[18], "mock_domain.out_hwpt_id");
        const int StepsPerDevice = 12;
        Assert.Multiple(() =>
        {
            CheckFixture(r, domains);
            for (int n = 0; n < domains; n++)
            {
                int first = 18 + domains + n * StepsPerDevice;
                Fails(r[first], Errno.EOPNOTSUPP);          // every flag but NEST_PARENT
                Succeeds(r[first + 1]);
                Succeeds(r[first + 2]);
                Succeeds(r[first + 3]);
                Fails(r[first + 4], Errno.EBUSY);           // the plain HWPT has the device
                Succeeds(r[first + 5]);
                Fails(r[first + 6], Errno.EBUSY);           // the NEST_PARENT one has it now
                Succeeds(r[first + 7]);
                FieldIs(r[first + 7], "mock_domain_replace.pt_id", fixtureHwpt);
                for (int step = first + 8; step < first + StepsPerDevice; step++)
                    Succeeds(r[step]);
                FieldIs(r[first + 9], "mock_domain.out_hwpt_id", Number(r[first + 1], "out_hwpt_id"));
            }
            AllSucceed(r, from: 18 + domains + domains * StepsPerDevice);
        });
    }

    // The fixture: one mock device per domain, the second on the first's automatic HWPT.
    private static void CheckFixture(IReadOnlyList<StepResult> r, int domains)
    {
        Succeeds(r[17]);
        for (int k = 0; k < domains; k++)
        {
            Succeeds(r[18 + k]);
            FieldIs(r[18 + k], "mock_domain.out_hwpt_id", Number(r[18], "mock_domain.out_hwpt_id"));
        }
    }

    private static void AllSucceed(IReadOnlyList<StepResult> r, int from, int except = -1)
    {
        for (int step = from; step < r.Count; step++)
            if (step != except)
                Assert.That(r[step].Errno, Is.EqualTo(0), () => $"step {step}: {r[step]}");
    }

    private static IEnumerable<int> StepsOf(Trace trace, string command) =>
        Enumerable.Range(0, trace.Steps.Count).Where(i => trace.Steps[i] is IoctlStep s && s.Command == command);

    private static int Op(Trace trace, int step) =>
        ((IoctlStep)trace.Steps[step]).Arg?["op"]?.GetValue<int>() ?? -1;
}
