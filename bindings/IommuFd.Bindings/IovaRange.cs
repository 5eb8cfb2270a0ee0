namespace IommuFd.Bindings;

/// <summary>An IOVA range with an inclusive last address, as the kernel reports and takes them.</summary>
/// <param name="Start">First IOVA of the range.</param>
/// <param name="Last">Last IOVA of the range (inclusive).</param>
public readonly record struct IovaRange(ulong Start, ulong Last)
{
    /// <summary>Number of bytes in the range; 0 for the full 64-bit space, whose size does not fit.</summary>
    public ulong Length => Last - Start + 1;
}

/// <summary>What IOMMU_IOAS_IOVA_RANGES reports: the usable IOVA ranges of an IOAS and the alignment
/// every map into it must obey.</summary>
/// <param name="Ranges">The ranges, ascending.</param>
/// <param name="Alignment">Required IOVA and length alignment in bytes (<c>out_iova_alignment</c>).</param>
public sealed record IovaRanges(IReadOnlyList<IovaRange> Ranges, ulong Alignment);
