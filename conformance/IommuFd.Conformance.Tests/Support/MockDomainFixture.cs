using IommuFd.Bindings.Backends;
using IommuFd.Testing;
using IommuFd.TestVm;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>Base of the fixtures that create mock devices and mock domains: the kernel side runs in the
/// kernel tier's virtio-iommu VM (the only emulated IOMMU that leaves the mock devices to the selftest's
/// mock IOMMU), the engine models that machine.</summary>
public abstract class MockDomainFixture(BackendKind kind) : ConformanceFixture(kind)
{
    /// <inheritdoc />
    protected override IommuModel? KernelModel => IommuModel.Virtio;

    /// <inheritdoc />
    protected override IIommuBackend CreateEngine() => SuiteBackends.Engine(mockDomains: true);
}
