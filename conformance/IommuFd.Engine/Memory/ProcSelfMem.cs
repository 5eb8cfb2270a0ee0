using System.Runtime.InteropServices;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.Engine.Memory;

/// <summary>
/// The fallback of <see cref="UserAccess"/> on kernels built without CONFIG_CROSS_MEMORY_ATTACH, where
/// process_vm_readv/writev answer ENOSYS (the allnoconfig-based test kernel): /proc/self/mem, limited
/// to the prefix of the range that the process's mappings allow (it would otherwise read PROT_NONE
/// and write read-only pages, which copy_{from,to}_user fault on).
/// </summary>
internal static unsafe partial class ProcSelfMem
{
    private const int ENOSYS = 38;
    private static int _fd = -1;

    /// <summary>True when the last process_vm_* call failed for want of the syscall.</summary>
    public static bool Unsupported() => Marshal.GetLastPInvokeError() == ENOSYS;

    /// <summary>Bytes transferred from the start of the range (a fault ends it), or -1 when none.</summary>
    public static long Transfer(Span<byte> local, ulong address, bool write)
    {
        ulong allowed = ProcessMappings.AccessiblePrefix(UserMm.Self, address, (ulong)local.Length, write);
        if (allowed == 0 || address > long.MaxValue)
            return -1;
        int fd = Volatile.Read(ref _fd);
        if (fd < 0)
        {
            fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
            if (fd < 0)
                return -1;
            int raced = Interlocked.CompareExchange(ref _fd, fd, -1);
            if (raced >= 0)
            {
                _ = close(fd);
                fd = raced;
            }
        }
        fixed (byte* p = local)
        {
            nint rc = write ? pwrite(fd, p, (nuint)allowed, (long)address) : pread(fd, p, (nuint)allowed, (long)address);
            return rc;
        }
    }
}
