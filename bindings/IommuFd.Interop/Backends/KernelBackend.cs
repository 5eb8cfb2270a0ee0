using System.Runtime.InteropServices;
using IommuFd.Interop.Native;

namespace IommuFd.Bindings.Backends;

/// <summary>The real kernel: every call goes straight to libc. errno is read right after the call
/// that set it, so a result always carries that call's own errno, never a stale one.</summary>
public sealed unsafe class KernelBackend : IIommuBackend
{
    /// <inheritdoc/>
    public string Name => "kernel";

    /// <inheritdoc/>
    public int Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        int fd = LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <inheritdoc/>
    public int Close(int fd)
    {
        // Never retried on EINTR: on Linux the fd is gone either way.
        int rc = LibC.close(fd);
        return rc == 0 ? 0 : -Marshal.GetLastPInvokeError();
    }

    /// <inheritdoc/>
    public int Ioctl(int fd, uint request, void* argument)
    {
        int rc = LibC.ioctl(fd, request, argument);
        return rc >= 0 ? rc : -Marshal.GetLastPInvokeError();
    }

    /// <inheritdoc/>
    public long Read(int fd, Span<byte> buffer, long offset = -1)
    {
        fixed (byte* p = buffer)
        {
            nint n = offset < 0 ? LibC.read(fd, p, (nuint)buffer.Length) : LibC.pread(fd, p, (nuint)buffer.Length, offset);
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
    }

    /// <inheritdoc/>
    public long Write(int fd, ReadOnlySpan<byte> buffer, long offset = -1)
    {
        fixed (byte* p = buffer)
        {
            nint n = offset < 0 ? LibC.write(fd, p, (nuint)buffer.Length) : LibC.pwrite(fd, p, (nuint)buffer.Length, offset);
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
    }

    /// <inheritdoc/>
    public UserMemory Allocate(nuint length) => UserMemory.Map(length);

    /// <inheritdoc />
    public UserMemory AllocateHugetlb(nuint length) => UserMemory.MapHugetlbPages(length);

    /// <summary>Nothing to release: fds are owned by their handles.</summary>
    public void Dispose()
    {
    }
}
