namespace IommuFd.Engine.IoPageTable;

/// <summary>IOMMU_READ/WRITE/CACHE as iommu_prot bits.</summary>
[Flags]
internal enum IommuProt : byte { None = 0, Read = 1, Write = 2, Cache = 4 }

/// <summary>An occupied IOVA range of an io_pagetable: an area or a reserved span.</summary>
internal abstract class IovaNode : IntervalNode;

/// <summary>iopt_area: IOVA [Start, Last] backed by a slice of one <see cref="Pages"/> starting at
/// <see cref="StartByte"/> (bytes from the pages' aligned base).</summary>
internal sealed class Area : IovaNode
{
    /// <summary>Null while the area is a tombstone (being mapped or unmapped).</summary>
    public Pages? Pages;
    public ulong StartByte;
    public IommuProt Prot;
    public int NumAccesses;

    /// <summary>num_locks: pins of internal accesses, which make unmapping the area EBUSY.</summary>
    public int NumLocks;
    public bool PreventAccess;

    public ulong Length => Last - Start + 1;

    /// <summary>iopt_area_start_byte: where IOVA <paramref name="iova"/> of this area falls in its pages.</summary>
    public ulong StartByteOf(ulong iova) => StartByte + (iova - Start);
}

/// <summary>A maximal run of reserved IOVA (overlapping and touching reserved ranges merged), kept
/// in the same tree as the areas so the allocator sees one set of used ranges.</summary>
internal sealed class ReservedSpan : IovaNode;

/// <summary>One reserved range as registered: its owner (a domain, a device, or null for the
/// selftest) removes it again.</summary>
internal readonly record struct ReservedRange(ulong Start, ulong Last, object? Owner);

/// <summary>A closed range [Start, Last].</summary>
internal readonly record struct IovaRange(ulong Start, ulong Last);
