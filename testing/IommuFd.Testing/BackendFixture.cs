using IommuFd.Bindings.Backends;
using IommuFd.TestVm;
using NUnit.Framework;

namespace IommuFd.Testing;

/// <summary>Base of every fixture that runs its tests once per backend (<see cref="BackendKind"/>), each
/// test on a fresh backend made in SetUp: the kernel tier relays results per test, so it must be asked
/// from the test's own context, and a fresh engine keeps tests independent. An absent kernel skips with
/// the reason, unless IOMMUFD_REQUIRE_KERNEL=1 demands it.</summary>
[TestFixtureSource(typeof(BackendSource), nameof(BackendSource.Fixtures))]
public abstract class BackendFixture(BackendKind kind)
{
    private IIommuBackend? _backend;

    /// <summary>The backend this fixture runs on.</summary>
    protected BackendKind Kind { get; } = kind;

    /// <summary>Whether this fixture runs on the engine.</summary>
    protected bool OnEngine => Kind == BackendKind.Engine;

    /// <summary>The backend of the current test.</summary>
    protected IIommuBackend Backend => _backend ?? throw new InvalidOperationException("backend not created");

    /// <summary>The IOMMU the kernel tier must run these tests behind; null for the tier's default.</summary>
    protected virtual IommuModel? KernelModel => null;

    /// <summary>The engine, configured as the fixture's kernel side is.</summary>
    protected abstract IIommuBackend CreateEngine();

    /// <summary>Called first in SetUp, before the backend is made.</summary>
    protected virtual void TestStarting() { }

    /// <summary>Called last in TearDown, after the backend is disposed.</summary>
    protected virtual void TestEnded() { }

    /// <summary>Makes the current test's backend.</summary>
    [SetUp]
    public void CreateBackend()
    {
        TestStarting();
        _backend = Kind == BackendKind.Engine ? CreateEngine() : BackendSource.Kernel(KernelModel);
    }

    /// <summary>Disposes the current test's backend.</summary>
    [TearDown]
    public void DisposeBackend()
    {
        _backend?.Dispose();
        _backend = null;
        TestEnded();
    }
}
