using IommuFd.Bindings.Backends;
using IommuFd.Testing;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>Base of the fixtures that diff the kernel against the engine in one process (inside the VM
/// both exist): each test gets a fresh pair, made in SetUp because the kernel tier relays results per
/// test and must be asked from the test's own context. With <paramref name="mockDomains"/> the kernel
/// side runs in the virtio-iommu VM and the engine models that machine.</summary>
[Category(KernelTier.Category)]
public abstract class DifferentialFixture(bool mockDomains)
{
    private const string SummaryName = "kernel+engine";
    private IIommuBackend? _kernel, _engine;

    /// <summary>The kernel side of the current test.</summary>
    protected IIommuBackend KernelSide => _kernel ?? throw new InvalidOperationException("backends not created");

    /// <summary>The engine side of the current test.</summary>
    protected IIommuBackend EngineSide => _engine ?? throw new InvalidOperationException("backends not created");

    [SetUp]
    public void CreateBackends()
    {
        SuiteSummary.TestStarted(SummaryName);
        _kernel = SuiteBackends.Kernel(mockDomains);
        _engine = SuiteBackends.Engine(mockDomains);
    }

    [TearDown]
    public void DisposeBackends()
    {
        _kernel?.Dispose();
        _engine?.Dispose();
        _kernel = _engine = null;
        SuiteSummary.Record(SummaryName, TestContext.CurrentContext.Result.Outcome.Status);
    }
}
