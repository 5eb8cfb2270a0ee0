namespace IommuFd.Conformance.Tests.Support;

/// <summary>The kernel's automatic IOVA choice on an empty IOAS (6.12 iopt_alloc_iova, spec §5.2),
/// written out as the expectation for the allocation sweep: alignment from the length and the
/// user address, capped at the huge page size, first fit from PAGE_SIZE, the page offset OR-ed in.</summary>
public static class IovaAllocation
{
    private const ulong Page = TestEnv.PageSize;
    private const ulong HugePage = 2UL << 20;

    /// <summary>Length of the sweep's buffer (its start is 2 MiB aligned by the replayer).</summary>
    public const ulong BufferLength = 8UL << 20;

    private static readonly ulong[] Offsets =
    [
        0, 1, 2, 3, 8, 100, 511, 512, 1024, 2048, 4095, 4096, 4097, 8192, 12288, 16384, 65536, 65536 + 4096,
        1UL << 20, (1UL << 20) + 512, HugePage - Page,
    ];

    private static readonly ulong[] Lengths =
    [
        1, 2, 100, 512, 4095, 4096, 4097, 8192, 12288, 16384, 65536, 65537, 1UL << 20, HugePage, HugePage + Page, 2 * HugePage,
    ];

    /// <summary>(offset into the buffer, length) of every case, offsets outer.</summary>
    public static IEnumerable<(ulong Offset, ulong Length)> Cases =>
        from offset in Offsets from length in Lengths select (offset, length);

    /// <summary>The IOVA 6.12 picks on an empty IOAS with alignment 1, for a user address whose
    /// offset from a 2 MiB boundary is <paramref name="offset"/>, with automatic alignment capped at
    /// <paramref name="maxAlign"/> (HPAGE_SIZE with transparent huge pages, else PAGE_SIZE).</summary>
    public static ulong Expected(ulong offset, ulong length, ulong maxAlign)
    {
        ulong pageOffset = offset % Page;
        ulong align = RoundUpPowerOfTwo(length);
        if (offset != 0)
            align = Math.Min(align, offset & (~offset + 1)); // 1 << ctz(user address)
        align = Math.Min(align, maxAlign);
        ulong start = (Page + align - 1) & ~(align - 1);
        return start | pageOffset;
    }

    private static ulong RoundUpPowerOfTwo(ulong value)
    {
        ulong power = 1;
        while (power < value)
            power <<= 1;
        return power;
    }
}
