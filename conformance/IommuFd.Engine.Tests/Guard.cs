using System.Runtime.InteropServices;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.Engine.Tests;

/// <summary>
/// Inaccessible memory for tests that place arguments before a fault. Pages are made PROT_NONE,
/// never unmapped: a hole left by munmap can be taken by the runtime's next small mapping, and the
/// engine, like the kernel, would then really write there.
/// </summary>
internal static partial class Guard
{
    private const int ProtNone = 0, ProtRead = 1, ProtWrite = 2;
    private const int MapPrivate = 0x02, MapAnonymous = 0x20, MapNoReserve = 0x4000;

    /// <summary>Makes a page inaccessible: copy_{from,to}_user and pinning fault on it.</summary>
    public static void NoAccess(ulong address) => Protect(address, 4096, ProtNone);

    /// <summary>Makes a page read-only, so copy_to_user into it faults while copy_from_user works.</summary>
    public static void ReadOnly(ulong address) => Protect(address, 4096, ProtRead);

    /// <summary>Maps <paramref name="length"/> read-write bytes followed by <paramref name="tail"/>
    /// inaccessible bytes (reserved address space only), so that an address derived from the buffer
    /// (a pointer plus an offset the test drew) faults instead of reaching other memory of this
    /// process. Release with <see cref="Unmap"/>.</summary>
    public static ulong MapWithInaccessibleTail(ulong length, ulong tail)
    {
        nint address = mmap(0, (nuint)(length + tail), ProtNone, MapPrivate | MapAnonymous | MapNoReserve, -1, 0);
        if (address == -1)
            throw new InvalidOperationException($"mmap of {length + tail} bytes failed: errno {Marshal.GetLastPInvokeError()}");
        Protect((ulong)address, length, ProtRead | ProtWrite);
        return (ulong)address;
    }

    public static void Unmap(ulong address, ulong length)
    {
        if (munmap((nint)address, (nuint)length) != 0)
            throw new InvalidOperationException($"munmap failed: errno {Marshal.GetLastPInvokeError()}");
    }

    private static void Protect(ulong address, ulong length, int prot)
    {
        if (mprotect((nint)address, (nuint)length, prot) != 0)
            throw new InvalidOperationException($"mprotect failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
