using System.Runtime.InteropServices;

namespace IommuFd.Engine.Tests;

/// <summary>Makes a page unmapped so tests can place arguments right before a fault.</summary>
internal static partial class Guard
{
    public static void UnmapPage(ulong address)
    {
        if (munmap((nint)address, 4096) != 0)
            throw new InvalidOperationException("munmap failed");
    }

    /// <summary>Makes a page read-only, so copy_to_user into it faults while copy_from_user works.</summary>
    public static void ReadOnly(ulong address)
    {
        if (mprotect((nint)address, 4096, 1 /* PROT_READ */) != 0)
            throw new InvalidOperationException("mprotect failed");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mprotect(nint addr, nuint length, int prot);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(nint addr, nuint length);
}
