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

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(nint addr, nuint length);
}
