using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>Base of every conformance fixture: runs once per backend ("engine", and "kernel" in
/// category Kernel), replays traces on it and counts outcomes for the closing summary.</summary>
[TestFixtureSource(typeof(BackendSource), nameof(BackendSource.Fixtures))]
public abstract class BackendFixture(string backendName)
{
    private IIommuBackend? _backend;

    /// <summary>"engine" or "kernel".</summary>
    protected string BackendName { get; } = backendName;

    /// <summary>The backend of this fixture.</summary>
    protected IIommuBackend Backend => _backend ?? throw new InvalidOperationException("backend not created");

    /// <summary>Whether this fixture runs on the engine.</summary>
    protected bool OnEngine => BackendName == "engine";

    [OneTimeSetUp]
    public void CreateBackend()
    {
        SuiteSummary.FixtureStarted(BackendName);
        _backend = BackendSource.Create(BackendName);
    }

    [OneTimeTearDown]
    public void DisposeBackend() => _backend?.Dispose();

    [TearDown]
    public void CountOutcome() => SuiteSummary.Record(BackendName, TestContext.CurrentContext.Result.Outcome.Status);

    /// <summary>Replays a trace on this fixture's backend.</summary>
    protected IReadOnlyList<StepResult> Replay(Trace trace) => TraceReplayer.Replay(Backend, trace);

    /// <summary>Replays a repository trace (conformance/traces/NAME.jsonl).</summary>
    protected IReadOnlyList<StepResult> Replay(string traceName) => Replay(TraceFiles.Load(traceName));

    /// <summary>Replays a trace built in code.</summary>
    protected IReadOnlyList<StepResult> Replay(TraceBuilder builder) => Replay(builder.Build());
}
