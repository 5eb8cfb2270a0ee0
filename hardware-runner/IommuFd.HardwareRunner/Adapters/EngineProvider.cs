using IommuFd.Bindings.Backends;
using IommuFd.Conformance;
using IommuFd.HardwareRunner.Suites;

namespace IommuFd.HardwareRunner.Adapters;

/// <summary>The managed reference engine, configured like the test kernel (IOMMUFD_TEST on; the
/// running kernel's own settings where /dev/iommu exists), so a differential run compares the same
/// machine: always available, a fresh model per case.</summary>
public sealed class EngineProvider : IBackendProvider
{
    /// <inheritdoc />
    public string Name => "engine";

    /// <inheritdoc />
    public string? Unavailable() => null;

    /// <inheritdoc />
    public IIommuBackend Create() => TestKernelEngine.Create();
}
