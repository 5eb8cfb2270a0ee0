using IommuFd.Bindings.Backends;
using IommuFd.HardwareRunner.Suites;

namespace IommuFd.HardwareRunner.Adapters;

/// <summary>The running kernel through libc: available when <c>/dev/iommu</c> opens.</summary>
public sealed class KernelProvider(string device = "/dev/iommu") : IBackendProvider
{
    /// <inheritdoc />
    public string Name => "kernel";

    /// <inheritdoc />
    public string? Unavailable()
    {
        if (!File.Exists(device)) return $"no {device} (kernel without CONFIG_IOMMUFD, or no IOMMU)";
        using var probe = new KernelBackend();
        int fd = probe.Open(device);
        if (fd < 0) return $"{device} exists but does not open (errno {-fd})";
        probe.Close(fd);
        return null;
    }

    /// <inheritdoc />
    public IIommuBackend Create() => new KernelBackend();
}
