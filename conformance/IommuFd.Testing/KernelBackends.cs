using IommuFd.Bindings.Backends;

namespace IommuFd.Testing;

/// <summary>Creates the real-kernel backend.</summary>
internal static class KernelBackends
{
    public static IIommuBackend Create() => new LibcBackend();
}
