using IommuFd.Bindings.Backends;
using IommuFd.Engine;
using IommuFd.HardwareRunner.Suites;

namespace IommuFd.HardwareRunner.Adapters;

/// <summary>The managed reference engine: always available, a fresh model per case.</summary>
public sealed class EngineProvider : IBackendProvider
{
    /// <inheritdoc />
    public string Name => "engine";

    /// <inheritdoc />
    public string? Unavailable() => null;

    /// <inheritdoc />
    public IIommuBackend Create() => new EngineBackend();
}
