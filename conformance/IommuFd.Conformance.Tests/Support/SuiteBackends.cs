using IommuFd.Bindings.Backends;
using IommuFd.Engine;
using IommuFd.Testing;
using IommuFd.TestVm;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>The suite's two backends as its differential and determinism tests make them directly:
/// the engine configured as the test kernel (<see cref="TestKernelEngine"/>), and the kernel tier.</summary>
public static class SuiteBackends
{
    /// <summary>The engine modelling the kernel side's machine; for mock devices and mock domains the
    /// kernel tier's virtio-iommu VM, where the selftest's mock IOMMU probes them.</summary>
    public static IIommuBackend Engine(bool mockDomains) =>
        mockDomains ? new EngineBackend(TestKernelEngine.MockDomainOptions()) : TestKernelEngine.Create();

    /// <summary>The real kernel or the end of the test (<see cref="BackendSource.Kernel"/>). Tests that use
    /// mock devices and mock domains run behind virtio-iommu: IOMMU_TEST_OP_MOCK_DOMAIN is EINVAL under
    /// the emulated VT-d and AMD-Vi, whose driver is offered the mock devices.</summary>
    public static IIommuBackend Kernel(bool mockDomains) =>
        BackendSource.Kernel(mockDomains ? IommuModel.Virtio : null);
}
