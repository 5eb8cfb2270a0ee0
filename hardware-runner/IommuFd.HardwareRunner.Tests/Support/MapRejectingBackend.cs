using IommuFd.Bindings.Backends;

namespace IommuFd.HardwareRunner.Tests.Support;

/// <summary>The engine, except that every IOMMU_IOAS_MAP fails with EINVAL.</summary>
public sealed class MapRejectingBackend(IIommuBackend inner) : IIommuBackend
{
    public string Name => "wrong";
    public int Open(string path) => inner.Open(path);
    public int Close(int fd) => inner.Close(fd);
    public long Read(int fd, Span<byte> buffer, long offset = -1) => inner.Read(fd, buffer, offset);
    public long Write(int fd, ReadOnlySpan<byte> buffer, long offset = -1) => inner.Write(fd, buffer, offset);
    public UserMemory Allocate(nuint length) => inner.Allocate(length);
    public UserMemory AllocateHugetlb(nuint length) => inner.AllocateHugetlb(length);
    public unsafe int Ioctl(int fd, uint request, void* argument) => request == 0x3B85 ? -22 : inner.Ioctl(fd, request, argument);
    public void Dispose() => inner.Dispose();
}
