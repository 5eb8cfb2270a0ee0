using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Traces.Building;
using IommuFd.Testing;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>Base of every conformance fixture: runs once per backend (<see cref="BackendFixture"/>),
/// replays traces on it and counts outcomes for the closing summary.</summary>
public abstract class ConformanceFixture(BackendKind kind) : BackendFixture(kind)
{
    /// <summary>"engine" or "kernel".</summary>
    protected string BackendName => Kind.Name();

    /// <summary>The kernel release the answers are checked for (the running one in the test VM, where
    /// the engine models it too; docs/engine-notes.md, "Kernel versions").</summary>
    protected static IommuFd.Engine.KernelRelease Kernel => TraceKernels.Current;

    /// <inheritdoc />
    protected override IIommuBackend CreateEngine() => SuiteBackends.Engine(mockDomains: false);

    /// <inheritdoc />
    protected override void TestStarting() => SuiteSummary.TestStarted(BackendName);

    /// <inheritdoc />
    protected override void TestEnded() => SuiteSummary.Record(BackendName, TestContext.CurrentContext.Result.Outcome.Status);

    /// <summary>Replays a trace on this fixture's backend.</summary>
    protected ReplayResults Replay(Trace trace) => TraceReplayer.Replay(Backend, trace);

    /// <summary>Replays a repository trace (conformance/traces/NAME.jsonl), if it applies to this kernel.</summary>
    protected ReplayResults Replay(string traceName)
    {
        Trace trace = TraceFiles.Load(traceName);
        TraceKernels.RequireApplies(trace);
        return Replay(trace);
    }

    /// <summary>Replays a trace built in code.</summary>
    protected ReplayResults Replay(TraceBuilder builder) => Replay(builder.Build());
}
