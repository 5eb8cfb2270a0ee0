using IommuFd.Bindings.Backends;

namespace IommuFd.HardwareRunner.Suites;

/// <summary>Makes fresh instances of one backend, and says whether this host has it.</summary>
public interface IBackendProvider
{
    /// <summary>Name in results: <c>engine</c> or <c>kernel</c>.</summary>
    string Name { get; }

    /// <summary>Null when the backend can be created here; otherwise why not (e.g. "no /dev/iommu").</summary>
    string? Unavailable();

    /// <summary>A new backend with no state carried over from another case.</summary>
    IIommuBackend Create();
}
