using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using IommuFd.Engine.Files;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.Engine.IoPageTable;

/// <summary>
/// The file behind the pages of an IOMMU_IOAS_MAP_FILE (iopt_pages.file, IOPT_ADDRESS_FILE): the
/// engine's own reference to the caller's open file (fget: a duplicate of the fd, so it outlives the
/// caller's close, as get_file does), through which pins are checked and bytes are read and written.
/// Its pages are named by (file, offset), never by a user VA, so they belong to no mm: pinning them
/// needs no live process. memfd_pin_folios pins shmem and hugetlbfs files only, and only below the
/// file's current size: anything else is EINVAL when the pages are pinned, not when they are mapped.
/// </summary>
internal sealed class MappedFile : IDisposable
{
    private const long TmpfsMagic = 0x01021994, RamfsMagic = 0x858458f6, HugetlbfsMagic = 0x958458f6;

    // Null for one of the engine's own files (an iommufd, a fault queue): a file, but not memory.
    private readonly SafeFileHandle? _handle;

    private MappedFile(SafeFileHandle? handle, FileIdentity id, bool pinnable)
    {
        _handle = handle;
        Id = id;
        Pinnable = pinnable;
    }

    /// <summary>The file as /proc/PID/maps names it (its pins are counted under this name).</summary>
    public FileIdentity Id { get; }

    /// <summary>shmem_file() || is_file_hugepages(): what memfd_pin_folios accepts.</summary>
    public bool Pinnable { get; }

    /// <summary>fget(fd) in current's fd table: EBADF when there is no such open file. The engine's own
    /// fds are files too (of the caller's process only).</summary>
    public static int Get(int fd, FdTable engineFiles, out MappedFile? file)
    {
        file = null;
        SafeFileHandle? handle;
        if (UserMm.Current is OtherProcessMm other)
            handle = other.OpenFd(fd);
        else if (engineFiles.Get(fd) != null)
        {
            file = new MappedFile(null, default, pinnable: false);
            return 0;
        }
        else
        {
            int dup = fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 0);
            handle = dup < 0 ? null : new SafeFileHandle(dup, ownsHandle: true);
        }
        if (handle == null)
            return -Errno.EBADF;
        file = new MappedFile(handle, IdentityOf(handle), IsMemory(handle));
        return 0;
    }

    /// <summary>memfd_pin_folios of file bytes [offset, offset+length): EINVAL unless the file is shmem or
    /// hugetlbfs and the range ends below i_size.</summary>
    public int CheckPinnable(ulong offset, ulong length)
    {
        if (!Pinnable || length == 0 || offset + (length - 1) >= (ulong)Size())
            return -Errno.EINVAL;
        return 0;
    }

    /// <summary>Copies file bytes at <paramref name="offset"/> to or from <paramref name="data"/>: bytes
    /// copied from the start, or -1 when none.</summary>
    public unsafe long Transfer(Span<byte> data, ulong offset, bool write)
    {
        if (_handle == null)
            return -1;
        long done = 0;
        fixed (byte* p = data)
        {
            while (done < data.Length)
            {
                nuint count = (nuint)(data.Length - done);
                long at = (long)offset + done;
                nint n = write ? pwrite(_handle, p + done, count, at) : pread(_handle, p + done, count, at);
                if (n <= 0)
                    break;
                done += n;
            }
        }
        return done > 0 ? done : -1;
    }

    /// <summary>fput of the pages' reference.</summary>
    public void Dispose() => _handle?.Dispose();

    private unsafe long Size()
    {
        if (_handle == null)
            return 0;
        byte* stat = stackalloc byte[StatSize];
        return fstat(_handle, stat) == 0 ? BinaryPrimitives.ReadInt64LittleEndian(new ReadOnlySpan<byte>(stat + 48, 8)) : 0;
    }

    private static unsafe FileIdentity IdentityOf(SafeFileHandle handle)
    {
        byte* stat = stackalloc byte[StatSize];
        if (fstat(handle, stat) != 0)
            throw new IOException($"fstat of a mapped file failed: errno {Marshal.GetLastPInvokeError()}");
        var bytes = new ReadOnlySpan<byte>(stat, 16);
        return FileIdentity.FromStat(BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
    }

    // shmem (tmpfs; ramfs stands in without CONFIG_SHMEM) and hugetlbfs: memfds and /dev/shm files.
    private static unsafe bool IsMemory(SafeFileHandle handle)
    {
        byte* statfs = stackalloc byte[StatfsSize];
        if (fstatfs(handle, statfs) != 0)
            return false;
        long type = BinaryPrimitives.ReadInt64LittleEndian(new ReadOnlySpan<byte>(statfs, 8));
        return type is TmpfsMagic or RamfsMagic or HugetlbfsMagic;
    }
}
