using System.Runtime.InteropServices;

namespace IommuFd.Bindings.Backends.Native;

/// <summary>The libc calls the kernel backend needs. Every import sets the last P/Invoke error so
/// the caller reads errno with <see cref="Marshal.GetLastPInvokeError"/> straight after the call.</summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    // open and ioctl are variadic in C; with integer and pointer arguments the Linux x86_64 and
    // arm64 calling conventions pass them exactly like fixed arguments.
    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, void* argument);

    /// <summary><c>ioctl(fd, request, argument)</c>; request is <c>unsigned long</c> in C.</summary>
    internal static int ioctl(int fd, uint request, void* argument) => ioctl(fd, (nuint)request, argument);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    internal static partial nint read(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    internal static partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "pread64", SetLastError = true)]
    internal static partial nint pread(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Library, EntryPoint = "pwrite64", SetLastError = true)]
    internal static partial nint pwrite(int fd, byte* buffer, nuint count, long offset);
}
