using System.Runtime.InteropServices;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.Bindings.Backends;

/// <summary>A private anonymous mapping of the calling process: real memory whose address can be
/// handed to the kernel or the engine as a <c>user_va</c>. Unmapped on dispose.</summary>
public sealed unsafe partial class UserMemory : IDisposable
{
    private const int ProtRead = 1, ProtWrite = 2, MapShared = 1, MapPrivate = 2, MapAnonymous = 0x20;
    private const int MapPopulate = 0x8000, MapHugetlb = 0x40000, ENOMEM = 12;
    private nint _address;
    private readonly Action? _unmapped;

    private UserMemory(nint address, nuint length, Action? unmapped = null)
    {
        _address = address;
        Length = length;
        _unmapped = unmapped;
    }

    /// <summary>The huge page size of <see cref="MapHugetlbPages"/> (x86_64's default hstate).</summary>
    public const ulong HugePageSize = 2UL << 20;

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

    /// <summary>Maps <paramref name="length"/> bytes (a multiple of <see cref="HugePageSize"/>) of 2 MiB
    /// huge pages: mmap(MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE), as the selftests map
    /// them. Needs reserved huge pages; without them mmap is ENOMEM and this throws saying how to
    /// reserve them.</summary>
    public static UserMemory MapHugetlbPages(nuint length)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        if (length % HugePageSize != 0)
            throw new ArgumentException($"a hugetlb mapping is whole 2 MiB pages, not {length} bytes", nameof(length));
        nint address = mmap(0, length, ProtRead | ProtWrite, MapShared | MapAnonymous | MapHugetlb | MapPopulate, -1, 0);
        if (address == -1)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new InvalidOperationException(errno == ENOMEM
                ? $"mmap(MAP_HUGETLB) of {length} bytes: ENOMEM, not enough free 2 MiB huge pages ({length / HugePageSize} needed). " +
                  "Reserve them first, e.g. `sysctl vm.nr_hugepages=96` (or boot with hugepages=96; the test VM does)."
                : $"mmap(MAP_HUGETLB) of {length} bytes failed: errno {errno} (EINVAL: the kernel has no hugetlbfs)");
        }
        return new UserMemory(address, length);
    }

    /// <summary>Maps <paramref name="length"/> bytes of zeroed shared anonymous memory (MAP_SHARED, like
    /// a hugetlb mapping, but of ordinary pages) starting on a multiple of <paramref name="alignment"/>
    /// (a power of two); <paramref name="unmapped"/> runs once the memory is unmapped. The start is the
    /// highest aligned one below the top of the gap mmap picks, which is where the kernel places a
    /// hugetlb mapping of that length (top-down, aligned): so a replay on the engine gets the address a
    /// replay on the kernel got, as it does for ordinary buffers.</summary>
    public static UserMemory MapSharedAligned(nuint length, nuint alignment, Action? unmapped = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment % (nuint)Environment.SystemPageSize != 0)
            throw new ArgumentException($"alignment {alignment} is not a power-of-two multiple of the page size", nameof(alignment));
        nuint page = (nuint)Environment.SystemPageSize;
        length = (length + page - 1) & ~(page - 1);
        nint reserve = mmap(0, length + alignment, ProtRead | ProtWrite, MapShared | MapAnonymous, -1, 0);
        if (reserve == -1)
            throw new InvalidOperationException($"mmap of {length + alignment} bytes failed: errno {Marshal.GetLastPInvokeError()}");
        // Trim the reservation to the highest aligned part: the head before it and the tail after it go.
        nuint start = ((nuint)reserve + alignment) & ~(alignment - 1);
        nuint head = start - (nuint)reserve, tail = alignment - head;
        if (head != 0)
            _ = munmap(reserve, head);
        if (tail != 0)
            _ = munmap((nint)(start + length), tail);
        return new UserMemory((nint)start, length, unmapped);
    }

    /// <summary>Unmaps the memory.</summary>
    public void Dispose()
    {
        nint address = Interlocked.Exchange(ref _address, 0);
        if (address != 0)
        {
            _ = munmap(address, Length);
            _unmapped?.Invoke();
        }
    }
}
