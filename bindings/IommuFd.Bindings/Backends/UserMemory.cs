using System.Runtime.InteropServices;

namespace IommuFd.Bindings.Backends;

/// <summary>A private anonymous mapping of the calling process: real memory whose address can be
/// handed to the kernel or the engine as a <c>user_va</c>. Unmapped on dispose.</summary>
public sealed unsafe partial class UserMemory : IDisposable
{
    private const int ProtRead = 1, ProtWrite = 2, MapPrivate = 2, MapAnonymous = 0x20;
    private nint _address;

    private UserMemory(nint address, nuint length)
    {
        _address = address;
        Length = length;
    }

    /// <summary>Page-aligned start address; 0 after dispose.</summary>
    public ulong Address => (ulong)_address;

    /// <summary>Length in bytes as requested.</summary>
    public nuint Length { get; }

    /// <summary>The memory as bytes. Valid until dispose.</summary>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_address == 0, this);
            return new Span<byte>((void*)_address, checked((int)Length));
        }
    }

    /// <summary>Maps <paramref name="length"/> bytes of zeroed memory.</summary>
    public static UserMemory Map(nuint length)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        nint address = mmap(0, length, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (address == -1)
            throw new InvalidOperationException($"mmap of {length} bytes failed: errno {Marshal.GetLastPInvokeError()}");
        return new UserMemory(address, length);
    }

    /// <summary>Unmaps the memory.</summary>
    public void Dispose()
    {
        nint address = Interlocked.Exchange(ref _address, 0);
        if (address != 0)
            _ = munmap(address, Length);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(nint addr, nuint length);
}
