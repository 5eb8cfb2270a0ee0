using IommuFd.Bindings.Backends;
using IommuFd.Engine;
using IommuFd.HardwareRunner.Adapters;
using IommuFd.HardwareRunner.Hosting;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Suites;
using IommuFd.HardwareRunner.Tests.Support;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>The adapter over IommuFd.Conformance, on the real engine and the repository's traces.</summary>
public sealed class ConformanceAdapterTests
{
    private static string TracesDirectory()
    {
        string? repo = RepositoryLocator.Find();
        if (repo is null || !Directory.Exists(Path.Combine(repo, "conformance", "traces")))
            Assert.Ignore("the repository's conformance/traces is not above the test assembly");
        return Path.Combine(repo!, "conformance", "traces");
    }

    [Test]
    public void TracesAreFoundInSubfoldersWithValidStableNames()
    {
        IReadOnlyList<TraceFile> traces = new ConformanceSuiteAdapter().DiscoverTraces(TracesDirectory());

        Assert.That(traces, Is.Not.Empty);
        Assert.That(traces.Select(t => t.CaseName), Is.Unique.And.All.Matches(@"^[a-zA-Z0-9_-]+$"));
        Assert.That(traces.Select(t => t.Path), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal), "a stable order: by path");
        Assert.That(traces.Select(t => t.CaseName), Has.Some.StartsWith("selftest-"));
    }

    [Test]
    public void EveryRepositoryTraceReplaysOnTheEngineAndAgreesWithItself()
    {
        var adapter = new ConformanceSuiteAdapter();
        foreach (TraceFile trace in adapter.DiscoverTraces(TracesDirectory()))
        {
            // The machine that gives every need a repository trace has (mock domains: virtio-iommu).
            using var engine = new EngineBackend(IommuFd.Conformance.TestKernelEngine.MockDomainOptions());
            CaseOutcome replay = adapter.Replay(trace, engine, CancellationToken.None).Outcome;
            Assert.That(replay.Status, Is.EqualTo(TestStatus.Pass), $"{trace.CaseName}: {replay.Reason}");
            Assert.That(replay.Log, Does.Contain("step(s) on engine"));
        }
    }

    [Test]
    public void DiffOfARandomSequenceAgainstAWrongBackendIsShrunkAndShownSideBySide()
    {
        var adapter = new ConformanceSuiteAdapter { MinimizeAttempts = 200 };
        int? diverging = null;
        CaseOutcome? outcome = null;
        // The wrong backend answers EINVAL to IOMMU_IOAS_MAP (0x3B85); find a seed whose sequence maps.
        for (int seed = 1; seed <= 20 && diverging is null; seed++)
        {
            using var engine = new EngineBackend();
            using var wrong = new MapRejectingBackend(new EngineBackend());
            outcome = adapter.DiffRandom(seed, 40, engine, wrong, CancellationToken.None);
            if (outcome.Status == TestStatus.Fail) diverging = seed;
        }

        Assert.That(diverging, Is.Not.Null, "no seed in 1..20 mapped anything");
        Assert.That(outcome!.Divergence, Is.Not.Null);
        Assert.That(outcome.Divergence!.Operation, Is.EqualTo("IOMMU_IOAS_MAP"));
        Assert.That((outcome.Divergence.LeftBackend, outcome.Divergence.RightBackend), Is.EqualTo(("engine", "wrong")));
        Assert.That(outcome.Divergence.Right, Does.Contain("22"));
        Assert.That(outcome.Log, Does.Contain("shrunk to a minimal trace").And.Contain("\"op\":\"ioctl\""));
        Conformance.Traces.Trace repro = Conformance.Traces.Trace.Parse("repro", outcome.Repro!);
        Assert.That(repro.Steps, Is.Not.Empty, "the repro is a trace as replay reads it");
        using var engine2 = new EngineBackend();
        using var wrong2 = new MapRejectingBackend(new EngineBackend());
        Assert.That(Conformance.Diff.DifferentialRun.Execute(repro, engine2, wrong2).Divergence, Is.Not.Null, "and it still diverges");
    }

    [Test]
    public void ReplayGivesOneJsonLinePerStepOfTheTrace()
    {
        var adapter = new ConformanceSuiteAdapter();
        TraceFile trace = adapter.DiscoverTraces(TracesDirectory()).First();
        using var engine = new EngineBackend();

        TraceReplay replay = adapter.Replay(trace, engine, CancellationToken.None);

        Assert.That(replay.Steps, Has.Count.EqualTo(File.ReadAllLines(trace.Path).Length));
        for (int i = 0; i < replay.Steps.Count; i++)
            Assert.That(Conformance.Replay.StepResult.Parse(replay.Steps[i]).Step, Is.EqualTo(i));
    }

    [Test]
    public void UnreadableTraceIsAnErrorNamingTheFile()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("bad.jsonl"), "{\"op\":\"nonsense\"}\n");
        var adapter = new ConformanceSuiteAdapter();
        TraceFile trace = adapter.DiscoverTraces(temp.Path).Single();
        using var engine = new EngineBackend();

        CaseOutcome outcome = adapter.Replay(trace, engine, CancellationToken.None).Outcome;

        Assert.That(outcome.Status, Is.EqualTo(TestStatus.Error));
        Assert.That(outcome.Reason, Does.StartWith("trace unreadable"));
    }
}
