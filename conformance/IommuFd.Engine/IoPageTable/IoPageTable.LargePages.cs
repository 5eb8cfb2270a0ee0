using IommuFd.Engine.Domains;

namespace IommuFd.Engine.IoPageTable;

/// <summary>Which IO pages of an area a domain maps with its larger page size (6.12's mock 1 MiB), or
/// the leaves of 7.3's generic page table (<see cref="PageTableLeaves"/>).</summary>
/// <remarks>
/// batch_to_domain maps each physically contiguous run of an area's pages with one iommu_map (unless
/// large pages are disabled: then page by page), and iommu_map splits a run with iommu_pgsize: the
/// largest supported size that the IOVA and the physical address are both aligned to and that fits,
/// cutting the small pages short where the large size becomes possible. So an aligned block of the
/// larger size gets a large IO page exactly when it lies inside the area and inside one contiguous run
/// with its physical address congruent to its IOVA. The engine has no physical addresses; what it
/// knows: a hugetlb page is 2 MiB, physically contiguous and 2 MiB aligned, so its physical offset is
/// its VA offset. Ordinary 4 KiB pages are taken as never contiguous (docs/engine-notes.md), so only
/// hugetlb memory ever gets large IO pages. Runs that merge across huge pages change nothing: their
/// joins are 2 MiB aligned, so no block of 1 MiB straddles one.
/// </remarks>
internal sealed partial class IoPageTable
{
    // Marks the large IO pages of area a in domain d, as its fill maps them.
    private void MapLargePages(IommuDomain d, Area a, Pages pages, List<(ulong Start, ulong End)> hugetlb)
    {
        if (d.Leaves != null)
        {
            MapLeaves(d.Leaves, a, pages, hugetlb);
            return;
        }
        ulong size = d.LargePageSize;
        if (size == 0 || DisableLargePages || size > UserMemoryHugePage)
            return;
        ulong va = pages.Uptr + a.StartByte;   // the user address of IOVA a.Start
        // Congruence: a block's VA offset (its physical offset) must equal its IOVA offset.
        if (((va - a.Start) & (size - 1)) != 0)
            return;
        foreach ((ulong hs, ulong he) in hugetlb)
        {
            // The hugetlb range in this area's IOVA, clipped to the area.
            if (he <= va || hs > va + (a.Length - 1))
                continue;
            ulong first = a.Start + (Math.Max(hs, va) - va);
            ulong end = a.Start + (Math.Min(he, va + a.Length) - va);   // exclusive; va + Length cannot wrap for a mapped area
            for (ulong block = (first + size - 1) & ~(size - 1); block >= first && block + size <= end; block += size)
                d.Large.Mark(block, size);
        }
    }

    private const ulong UserMemoryHugePage = 2UL << 20;

    // 7.3's generic table: the leaves of area a, one physically contiguous run at a time (a 4 KiB page,
    // or with large pages on the part of a hugetlb page in the area).
    private void MapLeaves(PageTableLeaves leaves, Area a, Pages pages, List<(ulong Start, ulong End)> hugetlb)
    {
        ulong va = pages.Uptr + a.StartByte, end = va + a.Length;
        for (ulong cur = va; cur < end;)
        {
            ulong modulus = _pageSize;
            if (!DisableLargePages && hugetlb.Any(h => h.Start <= cur && cur < h.End))
                modulus = UserMemoryHugePage;
            ulong runEnd = Math.Min((cur | (modulus - 1)) + 1, end);
            leaves.MapRun(a.Start + (cur - va), cur, modulus, runEnd - cur);
            cur = runEnd;
        }
    }

    // The fill of a new domain (iopt_fill_domain): every area.
    private void MapLargePages(IommuDomain d)
    {
        if (d.Leaves == null && (d.LargePageSize == 0 || DisableLargePages))
            return;
        Dictionary<UserMm, List<(ulong, ulong)>> ranges = [];
        foreach (Area a in Areas())
            if (a.Pages is { } p)
                MapLargePages(d, a, p, HugetlbOf(p, ranges));
    }

    // The fill of new areas into every domain (iopt_fill_domains_pages), before they are published.
    private void MapLargePages(ReadOnlySpan<PagesSlice> slices)
    {
        Dictionary<UserMm, List<(ulong, ulong)>> ranges = [];
        foreach (IommuDomain d in _domains)
        {
            if (d.Leaves == null && (d.LargePageSize == 0 || DisableLargePages))
                continue;
            foreach (PagesSlice s in slices)
                if (s.Area is { } a)
                    MapLargePages(d, a, s.Pages, HugetlbOf(s.Pages, ranges));
        }
    }

    // A file's pages are shmem pages, taken as never contiguous (no hugetlb runs).
    private static List<(ulong Start, ulong End)> HugetlbOf(Pages pages, Dictionary<UserMm, List<(ulong, ulong)>> cache)
    {
        if (pages.File != null)
            return [];
        UserMm mm = pages.Mm;
        if (!cache.TryGetValue(mm, out List<(ulong, ulong)>? list))
            cache[mm] = list = ProcessMappings.HugetlbRanges(mm);
        return list;
    }
}
