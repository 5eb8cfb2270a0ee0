using IommuFd.Bindings.Backends;

namespace IommuFd.HardwareRunner.Tests.Support;

/// <summary>The engine, except that every IOMMU_IOAS_MAP fails with EINVAL.</summary>
public sealed class MapRejectingBackend(IIommuBackend inner) : ForwardingBackend(inner)
{
    public override string Name => "wrong";

    public override unsafe int Ioctl(int fd, uint request, void* argument) => request == 0x3B85 ? -22 : Inner.Ioctl(fd, request, argument);

    public override void Dispose() => Inner.Dispose();
}
