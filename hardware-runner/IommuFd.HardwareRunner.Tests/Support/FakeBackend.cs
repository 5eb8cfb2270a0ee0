using IommuFd.Bindings.Backends;
using IommuFd.HardwareRunner.Suites;

namespace IommuFd.HardwareRunner.Tests.Support;

/// <summary>A backend that answers nothing (the fake suite never calls it); counts disposals.</summary>
public sealed class FakeBackend(string name) : IIommuBackend
{
    public string Name => name;
    public bool Disposed { get; private set; }
    public int Open(string path) => -2;
    public int Close(int fd) => -9;
    public long Read(int fd, Span<byte> buffer, long offset = -1) => -9;
    public long Write(int fd, ReadOnlySpan<byte> buffer, long offset = -1) => -9;
    public UserMemory Allocate(nuint length) => UserMemory.Map(length);
    public UserMemory AllocateHugetlb(nuint length) => UserMemory.MapSharedAligned(length, (nuint)UserMemory.HugePageSize);
    public unsafe int Ioctl(int fd, uint request, void* argument) => -25;
    public void Dispose() => Disposed = true;
}

/// <summary>A provider that is available or not, as told.</summary>
public sealed class FakeProvider(string name, string? unavailable = null) : IBackendProvider
{
    public string Name => name;
    public int Created { get; private set; }
    public string? Unavailable() => unavailable;
    public Bindings.Backends.IIommuBackend Create() { Created++; return new FakeBackend(name); }
}
