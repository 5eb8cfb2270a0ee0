namespace IommuFd.Bindings.Backends;

/// <summary>A backend that passes every call to another one; subclasses change only what happens
/// around an ioctl (fault injection, timing, a deliberately wrong kernel in tests). The inner backend
/// belongs to the caller and is not disposed here unless a subclass says so.</summary>
public abstract unsafe class ForwardingBackend(IIommuBackend inner) : IIommuBackend
{
    /// <summary>The wrapped backend.</summary>
    protected IIommuBackend Inner => inner;

    /// <inheritdoc/>
    public virtual string Name => inner.Name;

    /// <inheritdoc/>
    public abstract int Ioctl(int fd, uint request, void* argument);

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

    /// <inheritdoc/>
    public UserMemory AllocateHugetlb(nuint length) => inner.AllocateHugetlb(length);

    /// <summary>Nothing to release: the inner backend is the caller's.</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);
}
