using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Diff;
using IommuFd.Conformance.Random;
using IommuFd.Conformance.Tests.Support;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>Engine against engine, on every machine: the same trace twice (on two engine instances)
/// must give identical results, step by step, for every trace and a share of random sequences.</summary>
public sealed class DeterminismTests
{
    private IIommuBackend? _first, _second;

    // Per test: the kernel tier relays results per test, so it is asked from the test's context.
    [SetUp]
    public void CreateBackends()
    {
        SuiteSummary.TestStarted("engine+engine");
        _first = BackendSource.Create("engine");
        _second = BackendSource.Create("engine");
    }

    [TearDown]
    public void DisposeBackends()
    {
        _first?.Dispose();
        _second?.Dispose();
        _first = _second = null;
        SuiteSummary.Record("engine+engine", TestContext.CurrentContext.Result.Outcome.Status);
    }

    [TestCaseSource(typeof(DifferentialTests), nameof(DifferentialTests.TraceNames))]
    public void TraceIsDeterministic(string name)
    {
        Trace trace = name.StartsWith("code/", StringComparison.Ordinal)
            ? SuiteTraces.All().Single(t => t.Name == name)
            : Trace.Load(Path.Combine(TraceFiles.Directory, name));
        AssertSame(trace, _first!, _first!);   // one instance, twice
        AssertSame(trace, _first!, _second!);  // two instances
    }

    [Test]
    public void RandomSequencesAreDeterministic()
    {
        var generator = new SequenceGenerator(RandomBudget.CiSeed);
        for (int i = 0; i < 50; i++)
            AssertSame(generator.Next(30), _first!, _second!);
    }

    /// <summary>The device-aware sequences on two engines modelling the virtio-iommu VM (mock devices).</summary>
    [Test]
    public void RandomDeviceSequencesAreDeterministic()
    {
        using var first = BackendSource.CreateForMockDomains("engine");
        using var second = BackendSource.CreateForMockDomains("engine");
        var generator = new DeviceSequenceGenerator(RandomBudget.CiSeed);
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
        if (run.Divergence is null)
            return;
        var report = new DivergenceReport();
        report.Add(DivergenceEntry.Create(trace, "engine#1", "engine#2", run.Divergence));
        Assert.Fail(report.ToText());
    }
}
