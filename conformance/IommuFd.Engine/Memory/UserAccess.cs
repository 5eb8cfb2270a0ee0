using System.Runtime.InteropServices;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.Engine.Memory;

/// <summary>
/// copy_from_user / copy_to_user for the current mm (<see cref="UserMm.Current"/>: normally this
/// process). Addresses come from untrusted arguments (NULL, unmapped, kernel-half), so every access
/// goes through process_vm_readv/writev on our own pid: the kernel checks the address and answers
/// EFAULT instead of the process faulting.
/// </summary>
internal static unsafe partial class UserAccess
{
    private static readonly int OwnPid = Environment.ProcessId;

    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="address"/>: 0 or -EFAULT.</summary>
    public static int CopyFromUser(Span<byte> destination, ulong address) =>
        Transfer(destination, address, write: false) == destination.Length ? 0 : -Errno.EFAULT;

    /// <summary>Writes <paramref name="source"/> at <paramref name="address"/>: 0 or -EFAULT. Like the
    /// kernel, the bytes before a fault may already have been written.</summary>
    public static int CopyToUser(ReadOnlySpan<byte> source, ulong address) =>
        Transfer(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(source), source.Length), address, write: true) == source.Length
            ? 0 : -Errno.EFAULT;

    /// <summary>Reads a value of type <typeparamref name="T"/>: 0 or -EFAULT.</summary>
    public static int Get<T>(out T value, ulong address) where T : unmanaged
    {
        value = default;
        return CopyFromUser(MemoryMarshal.AsBytes(new Span<T>(ref value)), address);
    }

    /// <summary>Writes a value of type <typeparamref name="T"/>: 0 or -EFAULT.</summary>
    public static int Put<T>(in T value, ulong address) where T : unmanaged =>
        CopyToUser(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)), address);

    /// <summary>check_zeroed_user: 1 if all <paramref name="length"/> bytes are zero, 0 if one is not
    /// (E2BIG for the caller), -EFAULT if the range faults before a non-zero byte is seen.</summary>
    public static int CheckZeroed(ulong address, ulong length)
    {
        Span<byte> chunk = stackalloc byte[512];
        while (length > 0)
        {
            int n = (int)Math.Min((ulong)chunk.Length, length);
            // Stop a chunk at a page boundary so a fault leaves the readable prefix checked first.
            ulong toPage = 4096 - (address & 4095);
            if ((ulong)n > toPage) n = (int)toPage;
            long got = Transfer(chunk[..n], address, write: false);
            if (got > 0 && chunk[..(int)got].ContainsAnyExcept((byte)0))
                return 0;
            if (got != n)
                return -Errno.EFAULT;
            address += (ulong)n;
            length -= (ulong)n;
        }
        return 1;
    }

    /// <summary>True when [address, address+length) is on this process's own live stack (the caller of
    /// this call keeps its argument struct there), so it may be read and written directly, without a
    /// syscall, for as long as the call runs: what <see cref="TransferSelf"/> checks per copy, checked once.</summary>
    public static bool IsOwnLiveStack(ulong address, ulong length) =>
        ReferenceEquals(UserMm.Current, UserMm.Self) && ThreadStack.ContainsLive(address, length);

    /// <summary>copy_struct_from_user: a longer user struct must be zero beyond ours (E2BIG), a shorter
    /// one is zero-extended; EFAULT when unreadable.</summary>
    public static int CopyStructFromUser(Span<byte> destination, ulong address, ulong userSize)
    {
        if (userSize > (ulong)destination.Length)
        {
            int zeroed = CheckZeroed(address + (ulong)destination.Length, userSize - (ulong)destination.Length);
            if (zeroed < 0) return -Errno.EFAULT;
            if (zeroed == 0) return -Errno.E2BIG;
        }
        int n = (int)Math.Min(userSize, (ulong)destination.Length);
        destination[n..].Clear();
        return CopyFromUser(destination[..n], address) != 0 ? -Errno.EFAULT : 0;
    }

    private static long Transfer(Span<byte> local, ulong address, bool write)
    {
        if (local.Length == 0)
            return 0;
        // The kernel's access_ok: a range that wraps is refused without touching anything.
        if (address + (ulong)local.Length < address)
            return -1;
        return UserMm.Current.Transfer(local, address, write);
    }

    /// <summary>This process's own memory: bytes copied from the start of the range, or -1.</summary>
    internal static long TransferSelf(Span<byte> local, ulong address, bool write)
    {
        if (local.Length == 0)
            return 0;
        if (address + (ulong)local.Length < address)
            return -1;
        if (ThreadStack.ContainsLive(address, (ulong)local.Length))
        {
            var user = new Span<byte>((void*)address, local.Length);
            if (write) local.CopyTo(user); else user.CopyTo(local);
            return local.Length;
        }
        fixed (byte* p = local)
        {
            var l = new IoVec { Base = p, Length = (nuint)local.Length };
            var r = new IoVec { Base = (void*)address, Length = (nuint)local.Length };
            nint rc = write ? process_vm_writev(OwnPid, &l, 1, &r, 1, 0) : process_vm_readv(OwnPid, &l, 1, &r, 1, 0);
            if (rc < 0 && ProcSelfMem.Unsupported())
                return ProcSelfMem.Transfer(local, address, write);
            return rc;
        }
    }
}
