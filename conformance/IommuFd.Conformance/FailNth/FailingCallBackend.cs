using IommuFd.Bindings.Backends;

namespace IommuFd.Conformance.FailNth;

/// <summary>Wraps the engine for the replay of a fault-injected run: the ioctl the kernel failed
/// because of the injected fault is not issued at all and answers the kernel's errno, so the engine
/// carries out exactly the calls that did not fail by injection.</summary>
public sealed unsafe class FailingCallBackend(IIommuBackend inner, int failedIoctl, int errno) : IIommuBackend
{
    private int _ioctls;

    /// <inheritdoc/>
    public string Name => inner.Name;

    /// <inheritdoc/>
    public int Ioctl(int fd, uint request, void* argument) =>
        _ioctls++ == failedIoctl ? -errno : inner.Ioctl(fd, request, argument);

    /// <inheritdoc/>
    public int Open(string path) => inner.Open(path);

    /// <inheritdoc/>
    public int Close(int fd) => inner.Close(fd);

    /// <inheritdoc/>
    public long Read(int fd, Span<byte> buffer, long offset = -1) => inner.Read(fd, buffer, offset);

    /// <inheritdoc/>
    public long Write(int fd, ReadOnlySpan<byte> buffer, long offset = -1) => inner.Write(fd, buffer, offset);

    /// <inheritdoc/>
    public UserMemory Allocate(nuint length) => inner.Allocate(length);

    /// <summary>The inner backend is the caller's: not disposed here.</summary>
    public void Dispose()
    {
    }
}
