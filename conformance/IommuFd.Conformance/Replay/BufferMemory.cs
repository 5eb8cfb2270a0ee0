using System.Runtime.InteropServices;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.Conformance.Replay;

/// <summary>The memory calls a replay makes on buffers besides allocating them: a private file mapping
/// placed over part of an allocation, and mprotect. Both backends run in this process on the same
/// memory, so these need no backend.</summary>
internal static partial class BufferMemory
{
    private const int ProtNone = 0, ProtRead = 1, ProtWrite = 2;
    private const int MapShared = 0x01, MapPrivate = 0x02, MapFixed = 0x10;

    /// <summary>The protection bits of a trace's "none", "r" or "rw".</summary>
    public static int Protection(string prot) => prot switch
    {
        "none" => ProtNone,
        "r" => ProtRead,
        "rw" => ProtRead | ProtWrite,
        _ => throw new TraceFormatException($"unknown protection '{prot}'"),
    };

    /// <summary>Maps the first <paramref name="length"/> bytes of <paramref name="path"/> (opened
    /// read-only) MAP_PRIVATE and read-write at <paramref name="address"/>, replacing what was there.
    /// The file must be at least that long: pages past its end would be SIGBUS for the replay and
    /// EFAULT for the kernel, which no model of memory could tell apart from present pages.</summary>
    public static void MapFilePrivate(string path, ulong address, ulong length)
    {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            throw new TraceFormatException($"cannot open '{path}': errno {Marshal.GetLastPInvokeError()}");
        try
        {
            long size = lseek(fd, 0, SEEK_END);
            if (size < 0 || (ulong)size < length)
                throw new TraceFormatException($"file '{path}' has {size} bytes, fewer than the {length} to map");
            nint mapped = mmap((nint)address, (nuint)length, ProtRead | ProtWrite, MapPrivate | MapFixed, fd, 0);
            if (mapped != (nint)address)
                throw new TraceFormatException($"cannot map '{path}' privately: errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            _ = close(fd);
        }
    }

    /// <summary>A memfd of <paramref name="length"/> zero bytes mapped MAP_SHARED read-write at
    /// <paramref name="address"/>, replacing what was there: its fd (the caller closes it).</summary>
    public static int MapMemfd(string name, ulong address, ulong length)
    {
        int fd = memfd_create(name, MFD_CLOEXEC);
        if (fd < 0)
            throw new TraceFormatException($"memfd_create failed: errno {Marshal.GetLastPInvokeError()}");
        if (ftruncate(fd, checked((long)length)) != 0
            || mmap((nint)address, (nuint)length, ProtRead | ProtWrite, MapShared | MapFixed, fd, 0) != (nint)address)
        {
            int errno = Marshal.GetLastPInvokeError();
            _ = close(fd);
            throw new TraceFormatException($"cannot size and map a memfd of {length} bytes: errno {errno}");
        }
        return fd;
    }

    /// <summary>ftruncate(2): 0 or the negative errno.</summary>
    public static int Truncate(int fd, ulong length) =>
        ftruncate(fd, checked((long)length)) == 0 ? 0 : -Marshal.GetLastPInvokeError();

    /// <summary>close(2) of a file the replay opened itself: 0 or the negative errno.</summary>
    public static int Close(int fd) => close(fd) == 0 ? 0 : -Marshal.GetLastPInvokeError();

    /// <summary>mprotect of [address, address+length).</summary>
    public static void Protect(ulong address, ulong length, string prot)
    {
        if (mprotect((nint)address, (nuint)length, Protection(prot)) != 0)
            throw new TraceFormatException($"mprotect to '{prot}' failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
