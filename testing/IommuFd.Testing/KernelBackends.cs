using IommuFd.Bindings.Backends;

namespace IommuFd.Testing;

/// <summary>Creates the real-kernel backend (the bindings' libc backend).</summary>
internal static class KernelBackends
{
    public static IIommuBackend Create() => new KernelBackend();
}
