using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Traces;
using IommuFd.Conformance.Traces.Building;

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

    /// <summary>The kernel release the answers are checked for (the running one in the test VM, where
    /// the engine models it too; docs/engine-notes.md, "Kernel versions").</summary>
    protected static IommuFd.Engine.KernelRelease Kernel => TraceKernels.Current;

    /// <summary>Whether this fixture runs on the engine.</summary>
    protected bool OnEngine => BackendName == "engine";

    // A backend per test: the kernel tier relays results per test (so it must be asked from the
    // test's own context), and a fresh engine keeps tests independent.
    [SetUp]
    public void CreateBackend()
    {
        SuiteSummary.TestStarted(BackendName);
        _backend = CreateBackendFor(BackendName);
    }

    [TearDown]
    public void DisposeBackend()
    {
        _backend?.Dispose();
        _backend = null;
        SuiteSummary.Record(BackendName, TestContext.CurrentContext.Result.Outcome.Status);
    }

    /// <summary>Creates this fixture's backend; mock-domain fixtures pick the virtio-iommu machine.</summary>
    protected virtual IIommuBackend CreateBackendFor(string name) => BackendSource.Create(name);

    /// <summary>Skips the test on the engine while the engine lacks a feature the step needs: the
    /// engine answers ENOSYS (an errno iommufd never returns) for the IOMMU_TEST_CMD mock-domain and
    /// access ops of its part 2. On the kernel this never skips; once the engine has the feature the
    /// test runs on both.</summary>
    protected void SkipIfEngineLacks(StepResult step, string feature)
    {
        const int ENOSYS = 38;
        if (OnEngine && step.Errno == ENOSYS)
            Assert.Ignore($"engine: {feature} is not modelled yet (engine part 2; it answers ENOSYS)");
    }

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
