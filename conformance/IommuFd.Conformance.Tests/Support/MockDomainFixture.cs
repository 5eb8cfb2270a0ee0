using IommuFd.Bindings.Backends;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>Base of the fixtures that create mock devices and mock domains: the kernel side runs in the
/// kernel tier's virtio-iommu VM (the only emulated IOMMU that leaves the mock devices to the selftest's
/// mock IOMMU), the engine models that machine.</summary>
public abstract class MockDomainFixture(string backendName) : BackendFixture(backendName)
{
    /// <inheritdoc />
    protected override IIommuBackend CreateBackendFor(string name) => BackendSource.CreateForMockDomains(name);
}
