using IommuFd.Conformance;
using IommuFd.Engine;
using IommuFd.HardwareRunner.Adapters;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Suites;
using IommuFd.HardwareRunner.Tests.Support;
using IommuFd.HardwareRunner.Vm;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>The runner never passes what it did not test: a trace whose needs a backend lacks, or whose
/// replays never got past the set-up, is SKIP with the reason; later VM sessions take what is left.</summary>
public sealed class TraceRequirementTests
{
    private const string IoasAlloc = "{\"op\":\"ioctl\",\"cmd\":\"IOMMU_IOAS_ALLOC\",\"arg\":{}}\n";

    /// <summary>The 6.12 test kernel's machine behind VT-d: the selftest is there, mock domains are EINVAL.</summary>
    private static EngineBackend VtdEngine() => new(TestKernelEngine.Options() with { MockIommuOwnsMockBus = false });

    /// <summary>The virtio-iommu machine: mock domains work.</summary>
    private static EngineBackend VirtioEngine() => new(TestKernelEngine.MockDomainOptions());

    private static TraceFile Write(TempDirectory temp, string trace, string? requires)
    {
        Directory.CreateDirectory(temp.Combine("md"));
        File.WriteAllText(temp.Combine("md", "t.jsonl"), trace);
        if (requires is not null) File.WriteAllText(temp.Combine("md", "requires.json"), requires);
        return new ConformanceSuiteAdapter().DiscoverTraces(temp.Path).Single();
    }

    [Test]
    public void ATraceWhoseSetUpFailsOnBothBackendsIsSkippedNotOk()
    {
        // The probe passes (mock domains exist), but the trace's only MOCK_DOMAIN names an IOAS that does
        // not exist: ENOENT on both backends, which agree on every step.
        using var temp = new TempDirectory();
        const string trace = IoasAlloc + "{\"op\":\"ioctl\",\"cmd\":\"IOMMU_TEST_CMD\",\"arg\":{\"op\":2,\"id\":999}}\n";
        TraceFile declared = Write(temp, trace, "{\"needs\":[\"mock-domain\"]}");
        var adapter = new ConformanceSuiteAdapter();
        using var left = VirtioEngine();
        using var right = VirtioEngine();

        CaseOutcome diff = adapter.Diff(declared, left, right, CancellationToken.None);
        CaseOutcome replay = adapter.Replay(declared, left, CancellationToken.None).Outcome;

        Assert.That(diff.Status, Is.EqualTo(TestStatus.Skip));
        Assert.That(diff.Reason, Does.StartWith("set-up not reached: no mock-domain step succeeded (step 1: ENOENT)"));
        Assert.That(replay.Status, Is.EqualTo(TestStatus.Skip));
        Assert.That(replay.Reason, Does.StartWith("set-up not reached"));
    }

    [Test]
    public void WithoutTheNeedDeclaredTheSameAgreementPasses()
    {
        using var temp = new TempDirectory();
        TraceFile plain = Write(temp, IoasAlloc + "{\"op\":\"ioctl\",\"cmd\":\"IOMMU_TEST_CMD\",\"arg\":{\"op\":2,\"id\":999}}\n", requires: null);
        using var left = VirtioEngine();
        using var right = VirtioEngine();

        Assert.That(new ConformanceSuiteAdapter().Diff(plain, left, right, CancellationToken.None).Status, Is.EqualTo(TestStatus.Pass));
    }

    [Test]
    public void AMockDomainTraceOnAMachineWithoutMockDomainsIsSkippedWithTheProbesFinding()
    {
        // The example: under 6.12's VT-d every MOCK_DOMAIN is EINVAL on both sides, which used to pass.
        string? repo = Hosting.RepositoryLocator.Find();
        if (repo is null) Assert.Ignore("the repository's conformance/traces is not above the test assembly");
        string traces = Path.Combine(repo!, "conformance", "traces");
        TraceFile trace = new ConformanceSuiteAdapter().DiscoverTraces(traces).Single(t => t.CaseName == "mockdomain-alloc-hwpt-one-domain");
        var adapter = new ConformanceSuiteAdapter();
        using var left = VtdEngine();
        using var right = VtdEngine();
        using var virtio = VirtioEngine();
        using var virtio2 = VirtioEngine();

        CaseOutcome skipped = adapter.Diff(trace, left, right, CancellationToken.None);
        CaseOutcome ran = adapter.Diff(trace, virtio, virtio2, CancellationToken.None);

        Assert.That(skipped.Status, Is.EqualTo(TestStatus.Skip));
        Assert.That(skipped.Reason, Is.EqualTo("needs mock-domain: engine: IOMMU_TEST_OP_MOCK_DOMAIN on a fresh IOAS answered EINVAL; engine: IOMMU_TEST_OP_MOCK_DOMAIN on a fresh IOAS answered EINVAL"));
        Assert.That(ran.Status, Is.EqualTo(TestStatus.Pass), ran.Reason);
    }

    [Test]
    public void AMalformedRequirementsFileIsAnErrorNamingFileAndLine()
    {
        using var temp = new TempDirectory();
        TraceFile trace = Write(temp, IoasAlloc, "{\n\"needs\":[\"mock-domains\"]\n}\n");
        using var engine = VirtioEngine();

        CaseOutcome outcome = new ConformanceSuiteAdapter().Replay(trace, engine, CancellationToken.None).Outcome;

        Assert.That(outcome.Status, Is.EqualTo(TestStatus.Error));
        Assert.That(outcome.Reason, Does.Contain(temp.Combine("md", "requires.json")).And.Contain("unknown need 'mock-domains'"));
    }

    private static TestCaseResult Result(string group, string name, TestStatus status, string? reason = null) =>
        new(group, name, status, reason, "", null, DateTimeOffset.UtcNow, TimeSpan.Zero);

    [Test]
    public void AFollowUpSessionTakesOnlyTheTracesNoEarlierGroupDiffed()
    {
        using var temp = new TempDirectory();
        foreach (string name in new[] { "a", "b" })
        {
            Directory.CreateDirectory(temp.Combine("traces", "md"));
            File.WriteAllText(temp.Combine("traces", "md", name + ".jsonl"), IoasAlloc);
        }
        File.WriteAllText(temp.Combine("traces", "md", "requires.json"), "{\"needs\":[\"mock-domain\"]}");
        IReadOnlyList<TraceFile> traces = new ConformanceSuiteAdapter().DiscoverTraces(temp.Combine("traces"));
        var coverage = new CoverageSink();
        coverage.CaseFinished(Result("vm_intel", "diff_engine_kernel.iommufd.diff.md-a", TestStatus.Pass));
        coverage.CaseFinished(Result("vm_intel", "diff_engine_kernel.iommufd.diff.md-b", TestStatus.Skip, "needs mock-domain: kernel: EINVAL"));
        coverage.CaseFinished(Result("vm_intel", "kernel.iommufd.trace.md-b", TestStatus.Pass));
        bool booted = false;
        var session = new DeferredTestGroup("vm_virtio", "test kernel", _ => { booted = true; return new DeferredGroupResult([]); });

        new FollowUpVmGroup(coverage, traces, temp.Combine("subset")).Create(session).Run(CancellationToken.None);

        Assert.That(booted, Is.True);
        Assert.That(Directory.EnumerateFiles(temp.Combine("subset"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(temp.Combine("subset"), f)).Order(),
            Is.EqualTo(new[] { "md/b.jsonl", "md/requires.json" }), "a kernel replay alone does not cover a trace: its differential must run");
    }

    [Test]
    public void AFollowUpSessionWithNothingLeftIsNotBootedAndSaysSo()
    {
        using var temp = new TempDirectory();
        var coverage = new CoverageSink();
        coverage.CaseFinished(Result("diff_engine_kernel", "iommufd.diff.md-a", TestStatus.Fail));
        bool booted = false;
        var session = new DeferredTestGroup("vm_virtio", "test kernel", _ => { booted = true; return new DeferredGroupResult([]); });

        DeferredGroupResult result = new FollowUpVmGroup(coverage, [new TraceFile(temp.Combine("md", "a.jsonl"), "md-a", temp.Path)], temp.Combine("subset"))
            .Create(session).Run(CancellationToken.None);

        Assert.That(booted, Is.False);
        Assert.That(result.Results.Single().Status, Is.EqualTo(TestStatus.Skip));
        Assert.That(result.Results.Single().Reason, Does.StartWith("not booted"));
    }

    [Test]
    public void TheReportSaysWhereEachTraceRanOrWhyNowhere()
    {
        string section = TracePlaces.Render([
            Result("engine", "iommufd.trace.md-a", TestStatus.Pass),
            Result("vm_intel", "diff_engine_kernel.iommufd.diff.md-a", TestStatus.Skip, "needs mock-domain: kernel: EINVAL"),
            Result("vm_virtio", "diff_engine_kernel.iommufd.diff.md-a", TestStatus.Pass),
            Result("vm_intel", "diff_engine_kernel.iommufd.diff.md-b", TestStatus.Skip, "needs vfio-device: engine: ENOENT"),
            Result("engine", "iommufd.trace.only-engine", TestStatus.Pass),
        ]);

        Assert.That(section, Does.Contain("(3 traces: 1 diffed against a kernel, 2 nowhere)"));
        Assert.That(section, Does.Contain("| `md-a` | vm_virtio (diff pass) | vm_intel: needs mock-domain: kernel: EINVAL |"));
        Assert.That(section, Does.Contain("| `md-b` | **nowhere** | vm_intel: needs vfio-device: engine: ENOENT |"));
        Assert.That(section, Does.Contain("| `only-engine` | **nowhere** | no kernel backend in this run"));
    }
}
