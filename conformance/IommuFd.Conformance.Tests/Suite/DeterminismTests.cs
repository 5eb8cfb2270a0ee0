using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Diff;
using IommuFd.Conformance.Random;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>Engine against engine, on every machine: the same trace twice (on two engine instances,
/// with buffers at other addresses) must give identical results, step by step, for every trace and
/// a share of random sequences.</summary>
public sealed class DeterminismTests
{
    private IIommuBackend? _first, _second;

    // Per test: the kernel tier relays results per test, so it is asked from the test's context.
    [SetUp]
    public void CreateBackends()
    {
        SuiteSummary.TestStarted("engine+engine");
        _first = SuiteBackends.Engine(mockDomains: false);
        _second = SuiteBackends.Engine(mockDomains: false);
    }

    [TearDown]
    public void DisposeBackends()
    {
        _first?.Dispose();
        _second?.Dispose();
        _first = _second = null;
        SuiteSummary.Record("engine+engine", TestContext.CurrentContext.Result.Outcome.Status);
    }

    /// <summary>Every trace file (mock-domain ones included) and every trace the suite builds in code.</summary>
    public static IEnumerable<string> EveryTrace() =>
        TraceFiles.All().Concat(SuiteTraces.All().Select(t => t.Name));

    /// <summary>Each trace twice on the engine, the second time (on the same instance and on another)
    /// with the first replay's buffer addresses held inaccessible, so every buffer lies elsewhere, as
    /// from run to run or on another backend: the results must still be equal, every field compared.</summary>
    [TestCaseSource(nameof(EveryTrace))]
    public void TraceIsDeterministic(string name)
    {
        Trace trace = name.StartsWith("code/", StringComparison.Ordinal)
            ? SuiteTraces.All().Single(t => t.Name == name)
            : Trace.Load(Path.Combine(TraceFiles.Directory, name));
        bool mock = !name.StartsWith("code/", StringComparison.Ordinal) && TraceFiles.NeedsMockDomains(name);
        using IIommuBackend first = mock ? SuiteBackends.Engine(mockDomains: true) : SuiteBackends.Engine(mockDomains: false);
        using IIommuBackend second = mock ? SuiteBackends.Engine(mockDomains: true) : SuiteBackends.Engine(mockDomains: false);

        (IReadOnlyList<StepResult> a, List<(ulong Start, ulong End)> whereA) = ReplayWatched(trace, first);
        if (trace.Steps.Any(s => s is AllocStep { Process: null }))
            Assert.That(whereA, Is.Not.Empty, "the first replay's buffers were not found in /proc/self/maps");
        using var held = new AddressReservations(whereA);
        foreach (IIommuBackend again in new[] { first, second })
        {
            (IReadOnlyList<StepResult> b, List<(ulong Start, ulong End)> whereB) = ReplayWatched(trace, again);
            Assert.That(AddressRanges.Intersect(whereA, whereB), Is.False, "a buffer of the second replay lies where one of the first did");
            AssertSame(trace, a, b);
        }
    }

    /// <summary>The results, and the address ranges mapped during the replay and gone after it (its buffers).</summary>
    private static (IReadOnlyList<StepResult> Results, List<(ulong Start, ulong End)> Buffers) ReplayWatched(Trace trace, IIommuBackend backend)
    {
        List<(ulong Start, ulong End)> before = AddressRanges.Mapped(), during = [];
        IReadOnlyList<StepResult> results = TraceReplayer.Replay(backend, trace, _ => during = AddressRanges.Mapped());
        return (results, AddressRanges.Minus(AddressRanges.Minus(during, before), AddressRanges.Mapped()));
    }

    [Test]
    public void RandomSequencesAreDeterministic()
    {
        var generator = new SequenceGenerator(RandomBudget.CiSeed, TraceKernels.Current, SequenceScope.NoDevices);
        for (int i = 0; i < 50; i++)
            AssertSame(generator.Next(30), _first!, _second!);
    }

    /// <summary>The device-aware sequences on two engines modelling the virtio-iommu VM (mock devices).</summary>
    [Test]
    public void RandomDeviceSequencesAreDeterministic()
    {
        using var first = SuiteBackends.Engine(mockDomains: true);
        using var second = SuiteBackends.Engine(mockDomains: true);
        var generator = new SequenceGenerator(RandomBudget.CiSeed, TraceKernels.Current, SequenceScope.MockDevices);
        for (int i = 0; i < 50; i++)
        {
            Trace trace = generator.Next(40);
            AssertSame(trace, first, first);
            AssertSame(trace, first, second);
        }
    }

    private static void AssertSame(Trace trace, IIommuBackend a, IIommuBackend b)
    {
        DifferentialRun run = DifferentialRun.Execute(trace, a, b);
        AssertSame(trace, run.A, run.B);
    }

    private static void AssertSame(Trace trace, IReadOnlyList<StepResult> a, IReadOnlyList<StepResult> b)
    {
        if (TraceDiff.Compare(a, b) is not { } divergence)
            return;
        var report = new DivergenceReport();
        report.Add(DivergenceEntry.Create(trace, "engine#1", "engine#2", divergence));
        Assert.Fail(report.ToText());
    }
}
