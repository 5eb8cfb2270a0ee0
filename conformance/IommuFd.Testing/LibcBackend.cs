using System.Runtime.InteropServices;
using IommuFd.Bindings.Backends;

namespace IommuFd.Testing;

/// <summary>
/// A minimal libc backend so the tier works before the bindings' KernelBackend lands on main;
/// replaced by <c>IommuFd.Bindings.Backends.KernelBackend</c> once it does.
/// </summary>
internal sealed unsafe partial class LibcBackend : IIommuBackend
{
    private const int ORdWr = 0x2, OCloExec = 0x80000;

    public string Name => "kernel";

    public int Open(string path)
    {
        int fd = open(path, ORdWr | OCloExec);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    public int Close(int fd) => close(fd) == 0 ? 0 : -Marshal.GetLastPInvokeError();

    public int Ioctl(int fd, uint request, void* argument)
    {
        int rc = ioctl(fd, request, argument);
        return rc >= 0 ? rc : -Marshal.GetLastPInvokeError();
    }

    public long Read(int fd, Span<byte> buffer, long offset = -1)
    {
        fixed (byte* p = buffer)
        {
            nint n = offset < 0 ? read(fd, p, (nuint)buffer.Length) : pread(fd, p, (nuint)buffer.Length, offset);
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
    }

    public long Write(int fd, ReadOnlySpan<byte> buffer, long offset = -1)
    {
        fixed (byte* p = buffer)
        {
            nint n = offset < 0 ? write(fd, p, (nuint)buffer.Length) : pwrite(fd, p, (nuint)buffer.Length, offset);
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
    }

    public UserMemory Allocate(nuint length) => UserMemory.Map(length);

    public void Dispose()
    {
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint pread(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint pwrite(int fd, byte* buffer, nuint count, long offset);
}
