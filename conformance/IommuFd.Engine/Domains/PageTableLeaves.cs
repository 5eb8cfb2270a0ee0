namespace IommuFd.Engine.Domains;

/// <summary>
/// 7.3's mock domain: the generic page table in the AMD v1 format with a 2 KiB granule
/// (drivers/iommu/generic_pt, selftest.c mock_domain_alloc_pgtable), whose leaves may be any power of
/// two from 2 KiB up. Only what the uAPI can see is kept: the leaves (their IOVA and size) and the
/// dirty bit of each 2 KiB item.
/// </summary>
/// <remarks>
/// batch_to_domain maps each physically contiguous run of an area's pages with one iommu_map (page by
/// page with large pages disabled); the table splits a run into the largest leaves the IOVA and the
/// physical address are both aligned to and that fit (pt_compute_best_pgsize), so a leaf's size depends
/// on the physical layout. As for 6.12's large IO pages (IoPageTable.LargePages.cs) the engine takes
/// ordinary 4 KiB pages as never physically contiguous and each hugetlb page as one 2 MiB run whose
/// physical offset is its VA offset. IOMMU_TEST_OP_DIRTY sets the dirty bit of the one item at an IOVA
/// (pt_entry_make_write_dirty); read_and_clear_dirty reports and cleans a whole leaf if any of its items
/// is dirty (pt_entry_is_write_dirty over the contiguous items, record_dirty with the leaf's size).
/// </remarks>
internal sealed class PageTableLeaves
{
    private const ulong Granule = MockIommu.IoPageSize;

    // Leaf start -> size, for every mapped leaf, and the starts in order.
    private readonly Dictionary<ulong, ulong> _leaves = [];
    private readonly SortedSet<ulong> _starts = [];

    // Items (IOVA / 2 KiB) whose dirty bit is set.
    private readonly SortedSet<ulong> _dirty = [];

    /// <summary>iommu_map of one physically contiguous run: [<paramref name="iova"/>, +<paramref name="length"/>)
    /// at a physical address whose low bits below <paramref name="physModulus"/> are those of
    /// <paramref name="physLow"/> (the run never crosses that boundary, so higher bits never matter).</summary>
    public void MapRun(ulong iova, ulong physLow, ulong physModulus, ulong length)
    {
        ulong pa = (physLow & (physModulus - 1)) | physModulus;
        while (length >= Granule)
        {
            ulong align = LowBit(iova | pa);
            ulong size = Math.Min(align, HighBit(length));
            _leaves[iova] = size;
            _starts.Add(iova);
            iova += size;
            pa += size;
            length -= size;
        }
    }

    /// <summary>The leaves of [<paramref name="start"/>, <paramref name="last"/>] are unmapped, their dirty bits with them.</summary>
    public void Forget(ulong start, ulong last)
    {
        foreach (ulong leaf in LeavesIn(start, last).Select(l => l.Start).ToArray())
        {
            _leaves.Remove(leaf);
            _starts.Remove(leaf);
        }
        if (_dirty.Count != 0)
            _dirty.GetViewBetween(start / Granule, last / Granule).Clear();
    }

    /// <summary>Every leaf is unmapped (the domain left its IOAS).</summary>
    public void Clear()
    {
        _leaves.Clear();
        _starts.Clear();
        _dirty.Clear();
    }

    /// <summary>set_dirty of the item at <paramref name="iova"/>: nothing when no leaf maps it.</summary>
    public void SetDirty(ulong iova)
    {
        if (Leaf(iova) != null)
            _dirty.Add(iova / Granule);
    }

    /// <summary>read_and_clear_dirty over [<paramref name="iova"/>, +<paramref name="length"/>): each leaf
    /// in the range with a dirty item is reported whole (from its start, even before <paramref name="iova"/>)
    /// and cleaned unless <paramref name="noClear"/>. Whether tracking is on is not looked at.</summary>
    public void ReadAndClear(ulong iova, ulong length, bool noClear, IovaBitmap? bitmap)
    {
        if (_dirty.Count == 0 || length == 0)
            return;
        foreach ((ulong start, ulong size) in LeavesIn(iova, iova + (length - 1)).ToArray())
        {
            SortedSet<ulong> items = _dirty.GetViewBetween(start / Granule, (start + size - 1) / Granule);
            if (items.Count == 0)
                continue;
            bitmap?.Set(start, size);
            if (!noClear)
                items.Clear();
        }
    }

    // The leaf holding iova, if any.
    private (ulong Start, ulong Size)? Leaf(ulong iova)
    {
        foreach ((ulong start, ulong size) in LeavesIn(iova, iova))
            return (start, size);
        return null;
    }

    // The leaves that intersect [first, last], in order. A leaf starting before first is found by
    // looking back one leaf size at a time (leaves are at most 2 MiB here, so a few steps at most).
    private IEnumerable<(ulong Start, ulong Size)> LeavesIn(ulong first, ulong last)
    {
        ulong? before = null;
        for (ulong size = Granule; size <= (2UL << 20) && size != 0; size <<= 1)
        {
            ulong candidate = first & ~(size - 1);
            if (candidate < first && _leaves.TryGetValue(candidate, out ulong s) && candidate + s > first)
            {
                before = candidate;
                break;
            }
        }
        if (before is { } b)
            yield return (b, _leaves[b]);
        if (_starts.Count == 0 || first > last)
            yield break;
        foreach (ulong start in _starts.GetViewBetween(first, last))
            yield return (start, _leaves[start]);
    }

    private static ulong LowBit(ulong x) => x & (~x + 1);

    private static ulong HighBit(ulong x) => 1UL << (63 - System.Numerics.BitOperations.LeadingZeroCount(x));
}
