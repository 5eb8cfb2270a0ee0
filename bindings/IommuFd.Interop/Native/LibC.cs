using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace IommuFd.Interop.Native;

/// <summary>Every libc call of the project, and the flag values they take (x86_64 and arm64 Linux, which
/// agree on all of them). Every import sets the last P/Invoke error, so a caller reads errno with
/// <see cref="Marshal.GetLastPInvokeError"/> straight after the call.</summary>
public static unsafe partial class LibC
{
    private const string Library = "libc";

    /// <summary>open(2) flags.</summary>
    public const int O_RDONLY = 0, O_RDWR = 2, O_NONBLOCK = 0x800, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000, O_PATH = 0x200000;

    /// <summary>lseek(2) whence: from the end.</summary>
    public const int SEEK_END = 2;

    /// <summary>One element of an iovec array (struct iovec).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        /// <summary>iov_base.</summary>
        public void* Base;

        /// <summary>iov_len.</summary>
        public nuint Length;
    }

    // open, openat and ioctl are variadic in C; with integer and pointer arguments the Linux x86_64 and
    // arm64 calling conventions pass them exactly like fixed arguments.

    /// <summary>open(2).</summary>
    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    /// <summary>openat(2) relative to an open directory.</summary>
    [LibraryImport(Library, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int openat(SafeFileHandle dirfd, string path, int flags);

    /// <summary>close(2).</summary>
    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, void* argument);

    /// <summary><c>ioctl(fd, request, argument)</c>; request is <c>unsigned long</c> in C.</summary>
    public static int ioctl(int fd, uint request, void* argument) => ioctl(fd, (nuint)request, argument);

    /// <summary>read(2).</summary>
    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nuint count);

    /// <summary>read(2) on a handle.</summary>
    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint read(SafeFileHandle fd, byte* buffer, nuint count);

    /// <summary>write(2).</summary>
    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nuint count);

    /// <summary>pread(2).</summary>
    [LibraryImport(Library, EntryPoint = "pread64", SetLastError = true)]
    public static partial nint pread(int fd, byte* buffer, nuint count, long offset);

    /// <summary>pread(2) on a handle.</summary>
    [LibraryImport(Library, EntryPoint = "pread64", SetLastError = true)]
    public static partial nint pread(SafeFileHandle fd, byte* buffer, nuint count, long offset);

    /// <summary>memfd_create(2): the anonymous files IOMMU_IOAS_MAP_FILE maps.</summary>
    [LibraryImport(Library, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int memfd_create(string name, uint flags);

    /// <summary>memfd_create's close-on-exec flag.</summary>
    public const uint MFD_CLOEXEC = 1;

    /// <summary>ftruncate(2).</summary>
    [LibraryImport(Library, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    /// <summary>pwrite(2).</summary>
    [LibraryImport(Library, EntryPoint = "pwrite64", SetLastError = true)]
    public static partial nint pwrite(int fd, byte* buffer, nuint count, long offset);

    /// <summary>pwrite(2) on a handle.</summary>
    [LibraryImport(Library, EntryPoint = "pwrite64", SetLastError = true)]
    public static partial nint pwrite(SafeFileHandle fd, byte* buffer, nuint count, long offset);

    /// <summary>fcntl(2) with an integer argument.</summary>
    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int fcntl(int fd, int command, int argument);

    /// <summary>fcntl command: duplicate to the lowest free fd from the argument up, close-on-exec.</summary>
    public const int F_DUPFD_CLOEXEC = 1030;

    /// <summary>fstat(2) into a struct stat buffer (<see cref="StatSize"/> bytes; st_dev at 0, st_ino at 8 and
    /// st_size at 48 on both x86_64 and arm64).</summary>
    [LibraryImport(Library, EntryPoint = "fstat", SetLastError = true)]
    public static partial int fstat(SafeFileHandle fd, byte* stat);

    /// <summary>Room for struct stat (144 bytes on x86_64, 128 on arm64).</summary>
    public const int StatSize = 144;

    /// <summary>fstatfs(2) into a struct statfs buffer (<see cref="StatfsSize"/> bytes; f_type at 0).</summary>
    [LibraryImport(Library, EntryPoint = "fstatfs", SetLastError = true)]
    public static partial int fstatfs(SafeFileHandle fd, byte* statfs);

    /// <summary>Room for struct statfs (120 bytes on both).</summary>
    public const int StatfsSize = 120;

    /// <summary>lseek(2).</summary>
    [LibraryImport(Library, EntryPoint = "lseek", SetLastError = true)]
    public static partial long lseek(int fd, long offset, int whence);

    /// <summary>mmap(2).</summary>
    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    /// <summary>munmap(2).</summary>
    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    public static partial int munmap(nint addr, nuint length);

    /// <summary>mprotect(2).</summary>
    [LibraryImport(Library, EntryPoint = "mprotect", SetLastError = true)]
    public static partial int mprotect(nint addr, nuint length, int prot);

    /// <summary>process_vm_readv(2).</summary>
    [LibraryImport(Library, EntryPoint = "process_vm_readv", SetLastError = true)]
    public static partial nint process_vm_readv(int pid, IoVec* local, nuint liovcnt, IoVec* remote, nuint riovcnt, nuint flags);

    /// <summary>process_vm_writev(2).</summary>
    [LibraryImport(Library, EntryPoint = "process_vm_writev", SetLastError = true)]
    public static partial nint process_vm_writev(int pid, IoVec* local, nuint liovcnt, IoVec* remote, nuint riovcnt, nuint flags);

    /// <summary>getrlimit(2) of one resource; <paramref name="rlim"/> is the (cur, max) pair.</summary>
    [LibraryImport(Library, EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int getrlimit(int resource, ref ulong rlim);

    /// <summary>gettid(2).</summary>
    [LibraryImport(Library, EntryPoint = "gettid", SetLastError = true)]
    public static partial int gettid();

    /// <summary>kill(2).</summary>
    [LibraryImport(Library, EntryPoint = "kill", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    /// <summary>pthread_self(3).</summary>
    [LibraryImport(Library, EntryPoint = "pthread_self")]
    public static partial nint pthread_self();

    /// <summary>pthread_getattr_np(3); <paramref name="attr"/> is a pthread_attr_t buffer.</summary>
    [LibraryImport(Library, EntryPoint = "pthread_getattr_np")]
    public static partial int pthread_getattr_np(nint thread, byte* attr);

    /// <summary>pthread_attr_getstack(3).</summary>
    [LibraryImport(Library, EntryPoint = "pthread_attr_getstack")]
    public static partial int pthread_attr_getstack(byte* attr, void** stackAddr, nuint* stackSize);

    /// <summary>pthread_attr_destroy(3).</summary>
    [LibraryImport(Library, EntryPoint = "pthread_attr_destroy")]
    public static partial int pthread_attr_destroy(byte* attr);
}
