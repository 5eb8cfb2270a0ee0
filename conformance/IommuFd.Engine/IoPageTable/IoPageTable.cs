using System.Numerics;
using IommuFd.Engine.Domains;

namespace IommuFd.Engine.IoPageTable;

/// <summary>One slice of a <see cref="Pages"/> on its way into areas (iopt_pages_list): MAP makes
/// one, COPY one per source area. Holds a reference on the pages until it is moved into an area.</summary>
internal struct PagesSlice(Pages pages, ulong startByte, ulong length)
{
    public Pages Pages = pages;
    public ulong StartByte = startByte;
    public ulong Length = length;
    public Area? Area;
}

/// <summary>
/// io_pagetable: the IOVA space of one IOAS. Areas and reserved spans share one interval index
/// (they never overlap), the allowed ranges are a short sorted array. Attached domains constrain the
/// IOVA space (aperture reservations, IO page alignment) and make every area pinned (the fill of
/// iopt_fill_domains_pages / iopt_fill_domain); accesses (IoPageTable.Access.cs) sit next to them.
/// Not thread-safe: the owning context serialises calls.
/// </summary>
internal sealed partial class IoPageTable
{
    private readonly ulong _pageSize;
    private readonly PlatformProfile _platform;
    private readonly IntervalIndex _tree = new();
    private readonly List<ReservedRange> _reserved = [];
    private List<ReservedSpan> _reservedSpans = [];
    private IovaRange[] _allowed = [];
    private readonly List<IommuDomain> _domains = [];
    private readonly PinRegistry _pins;

    /// <param name="platform">Page sizes.</param>
    /// <param name="pins">Where pins are counted (the engine's; a private one when omitted, for tests).</param>
    public IoPageTable(PlatformProfile platform, PinRegistry? pins = null)
    {
        _platform = platform;
        _pageSize = platform.PageSize;
        _pins = pins ?? new PinRegistry();
    }

    /// <summary>iova_alignment: every MAP/COPY length, fixed IOVA and user page offset must be a multiple.</summary>
    public ulong IovaAlignment { get; private set; } = 1;

    public bool DisableLargePages { get; private set; }

    public int AreaCount { get; private set; }

    /// <summary>Number of iommu_domains in iopt->domains.</summary>
    public int DomainCount => _domains.Count;

    /// <summary>iopt->domains in xarray order (removal swaps the last entry into the hole).</summary>
    public IReadOnlyList<IommuDomain> Domains => _domains;

    /// <summary>Largest alignment demanded by domains (their smallest IO page) and accesses (1 when there are none).</summary>
    public ulong ExtraAlignment
    {
        get
        {
            ulong align = 1;
            foreach (IommuDomain d in _domains)
                align = Math.Max(align, d.MinPageSize);
            foreach (IIoptAccess a in _accesses.Values)
                align = Math.Max(align, a.IovaAlignment);
            return align;
        }
    }

    public IReadOnlyList<ReservedSpan> ReservedSpans => _reservedSpans;

    public IReadOnlyList<IovaRange> Allowed => _allowed;

    // ---- lookups -------------------------------------------------------------------------------

    /// <summary>iopt_area_iter_first: the lowest area (tombstones included) intersecting [start, last].</summary>
    public Area? FirstArea(ulong start, ulong last)
    {
        IntervalNode? n = _tree.FirstIntersecting(start, last);
        while (n is ReservedSpan)
            n = _tree.NextIntersecting(n, last);
        return (Area?)n;
    }

    /// <summary>iopt_area_iter_next: the next area after <paramref name="area"/> that starts at or below <paramref name="last"/>.</summary>
    public Area? NextArea(Area area, ulong last)
    {
        IntervalNode? n = _tree.NextIntersecting(area, last);
        while (n is ReservedSpan)
            n = _tree.NextIntersecting(n, last);
        return (Area?)n;
    }

    public bool ReservedIntersects(ulong start, ulong last)
    {
        // The merged spans are few, sorted and disjoint: binary search for the first ending at or after start.
        List<ReservedSpan> spans = _reservedSpans;
        int lo = 0, hi = spans.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (spans[mid].Last < start) lo = mid + 1;
            else hi = mid;
        }
        return lo < spans.Count && spans[lo].Start <= last;
    }

    public List<Area> Areas()
    {
        var list = new List<Area>(AreaCount);
        foreach (IntervalNode n in _tree.ToList())
            if (n is Area a) list.Add(a);
        return list;
    }

    public List<IntervalNode> AllNodes() => _tree.ToList();

    /// <summary>Maximal holes of the reserved ranges over the whole IOVA space (IOVA_RANGES, GET_INFO).</summary>
    public IEnumerable<IovaRange> ReservedHoles()
    {
        ulong next = 0;
        bool open = true;
        foreach (ReservedSpan s in _reservedSpans)
        {
            if (s.Start > next)
                yield return new IovaRange(next, s.Start - 1);
            if (s.Last == ulong.MaxValue) { open = false; break; }
            next = s.Last + 1;
        }
        if (open)
            yield return new IovaRange(next, ulong.MaxValue);
    }

    // ---- MAP / COPY ---------------------------------------------------------------------------

    /// <summary>iopt_alloc_pages (6.12) / iopt_alloc_user_pages (7.3): validates a user range and describes
    /// its pages (nothing is touched); the pages belong to the current mm (source_mm). 6.12 checks the
    /// length (EINVAL) before the end's wrap (EOVERFLOW); 7.3 checks the wrap first
    /// (<paramref name="wrapFirst"/>), so a huge length that also wraps is EOVERFLOW there.</summary>
    public int AllocPages(ulong uptr, ulong length, bool writable, PagesAccountMode mode, out Pages? pages, bool wrapFirst = false)
    {
        pages = null;
        bool wraps = uptr + length < uptr;
        if (wrapFirst && wraps)
            return -Errno.EOVERFLOW;
        if (length > ulong.MaxValue - _pageSize || length == 0)
            return -Errno.EINVAL;
        if (wraps)
            return -Errno.EOVERFLOW;
        ulong baseVa = uptr & ~(_pageSize - 1);
        ulong npages = (length + (uptr - baseVa) + _pageSize - 1) / _pageSize;
        pages = new Pages(baseVa, npages, writable, mode, UserMm.Current);
        return 0;
    }

    /// <summary>iopt_map_pages: allocates or checks the IOVA, inserts one area per slice, fills the
    /// domains and publishes. On success every slice's pages reference moved into its area; on
    /// failure the table is unchanged and the slices still own their references.</summary>
    public int MapPages(Span<PagesSlice> slices, ulong length, ref ulong iova, IommuProt prot, bool allocIova)
    {
        if ((length & (IovaAlignment - 1)) != 0 || length == 0)
            return -Errno.EINVAL;
        int rc;
        if (allocIova)
        {
            rc = AllocIova(out ulong chosen, slices[0].Pages.Uptr + slices[0].StartByte, length);
            if (rc != 0) return rc;
            iova = chosen;
        }
        else
        {
            rc = CheckIova(iova, length);
            if (rc != 0) return rc;
        }

        ulong at = iova;
        for (int i = 0; i < slices.Length; i++)
        {
            rc = InsertArea(ref slices[i], at, prot);
            if (rc != 0)
            {
                for (int j = 0; j < i; j++) AbortArea(ref slices[j]);
                return rc;
            }
            at += slices[i].Length;
        }

        // iopt_fill_domains_pages: with a domain every new area's pages are pinned now, so a bad
        // user_va or the RLIMIT_MEMLOCK charge fails the MAP (the areas go again).
        if (_domains.Count != 0)
        {
            for (int i = 0; i < slices.Length; i++)
            {
                rc = PinSlice(in slices[i]);
                if (rc == 0)
                    continue;
                for (int j = 0; j < i; j++)
                    UnpinSlice(in slices[j]);
                foreach (ref PagesSlice s in slices)
                    AbortArea(ref s);
                return rc;
            }
        }
        MapLargePages(slices);

        foreach (ref PagesSlice s in slices)
        {
            s.Area!.Pages = s.Pages; // the slice's reference moves into the area
            s.Area = null;
        }
        return 0;
    }

    /// <summary>iopt_get_pages: the slices of the contiguous populated areas covering [iova, iova+length-1],
    /// each holding a new reference on its pages.</summary>
    public int GetPages(ulong iova, ulong length, List<PagesSlice> slices)
    {
        if (length == 0)
            return -Errno.EINVAL;
        if (iova + (length - 1) < iova)
            return -Errno.EOVERFLOW;
        ulong lastIova = iova + (length - 1);

        Area? area = FirstArea(iova, iova);
        ulong cur = iova;
        while (area != null && area.Pages != null)
        {
            ulong last = Math.Min(lastIova, area.Last);
            area.Pages.RefCount++;
            slices.Add(new PagesSlice(area.Pages, area.StartByteOf(cur), last - cur + 1));
            if (lastIova <= area.Last)
                return 0;
            cur = area.Last + 1;
            area = NextArea(area, lastIova);
            if (area != null && area.Start != cur)
                break;
        }
        foreach (PagesSlice s in slices) s.Pages.RefCount--;
        slices.Clear();
        return -Errno.ENOENT;
    }

    private int PinSlice(in PagesSlice s) =>
        s.Pages.Pin(_pins, s.StartByte / _pageSize, (s.StartByte + s.Length - 1) / _pageSize, _pageSize);

    private void UnpinSlice(in PagesSlice s) =>
        s.Pages.Unpin(_pins, s.StartByte / _pageSize, (s.StartByte + s.Length - 1) / _pageSize, _pageSize);

    private int PinArea(Area a, Pages pages) =>
        pages.Pin(_pins, a.StartByte / _pageSize, (a.StartByte + a.Length - 1) / _pageSize, _pageSize);

    private void UnpinArea(Area a, Pages pages) =>
        pages.Unpin(_pins, a.StartByte / _pageSize, (a.StartByte + a.Length - 1) / _pageSize, _pageSize);

    private int InsertArea(ref PagesSlice slice, ulong iova, IommuProt prot)
    {
        if ((prot & IommuProt.Write) != 0 && !slice.Pages.Writable)
            return -Errno.EPERM;
        ulong pageOffset = slice.StartByte % _pageSize;
        if ((pageOffset & (IovaAlignment - 1)) != 0)
            return -Errno.EINVAL;
        if (iova + (slice.Length - 1) < iova || slice.StartByte + (slice.Length - 1) < slice.StartByte)
            return -Errno.EOVERFLOW;
        var area = new Area
        {
            Start = iova,
            Last = iova + (slice.Length - 1),
            StartByte = slice.StartByte,
            Prot = prot,
        };
        _tree.Insert(area);
        AreaCount++;
        slice.Area = area;
        return 0;
    }

    private void AbortArea(ref PagesSlice slice)
    {
        if (slice.Area == null) return;
        _tree.Remove(slice.Area);
        AreaCount--;
        slice.Area = null;
    }

    /// <summary>iopt_check_iova: a FIXED IOVA must be aligned and free.</summary>
    public int CheckIova(ulong iova, ulong length)
    {
        if ((iova & (IovaAlignment - 1)) != 0)
            return -Errno.EINVAL;
        if (iova + (length - 1) < iova)
            return -Errno.EOVERFLOW;
        ulong last = iova + (length - 1);
        if (ReservedIntersects(iova, last))
            return -Errno.EINVAL;
        if (FirstArea(iova, last) != null)
            return -Errno.EEXIST;
        return 0;
    }

    /// <summary>iopt_alloc_iova: first fit, lowest address, inside the allowed spans, outside areas and
    /// reserved ranges, congruent to the user VA modulo the chosen alignment.</summary>
    public int AllocIova(out ulong iova, ulong uptr, ulong length)
    {
        iova = 0;
        ulong pageOffset = uptr % _pageSize;
        if (length == 0 || length >= ulong.MaxValue / 2)
            return -Errno.EOVERFLOW;
        ulong align = BitOperations.RoundUpToPowerOf2(length);
        if (uptr != 0)
            align = Math.Min(align, 1UL << BitOperations.TrailingZeroCount(uptr));
        ulong maxAlign = _platform.TransparentHugePages ? _platform.HugePageSize : _pageSize;
        if (align >= maxAlign)
            align = maxAlign;
        if (align < IovaAlignment)
            return -Errno.EINVAL;

        var fit = new AlignedFit(length, align, pageOffset);
        foreach (IovaRange span in AllowedSpans(_pageSize, ulong.MaxValue - _pageSize))
        {
            ulong start = span.Start;
            if (!AlignedFit.CheckRange(ref start, span.Last, length, align, pageOffset))
                continue;
            if (_tree.FindHole(start, span.Last, length, ref fit, out iova))
                return 0;
        }
        return -Errno.ENOSPC;
    }

    /// <summary>The used spans of the allowed ranges (touching ones merged) clipped to the window, or
    /// the whole window when no allowed range is set.</summary>
    private IEnumerable<IovaRange> AllowedSpans(ulong first, ulong last)
    {
        if (_allowed.Length == 0)
        {
            yield return new IovaRange(first, last);
            yield break;
        }
        int i = 0;
        while (i < _allowed.Length)
        {
            ulong s = _allowed[i].Start, l = _allowed[i].Last;
            i++;
            while (i < _allowed.Length && l != ulong.MaxValue && _allowed[i].Start <= l + 1)
            {
                l = Math.Max(l, _allowed[i].Last);
                i++;
            }
            if (l < first || s > last)
                continue;
            yield return new IovaRange(Math.Max(s, first), Math.Min(l, last));
        }
    }

    private readonly struct AlignedFit(ulong length, ulong align, ulong pageOffset) : IHoleFit
    {
        public bool TryFit(ulong holeStart, ulong holeLast, out ulong result)
        {
            result = holeStart;
            return CheckRange(ref result, holeLast, length, align, pageOffset);
        }

        /// <summary>__alloc_iova_check_range, including its quirks (OR of the page offset, and
        /// rejecting an aligned start equal to the hole's last byte).</summary>
        public static bool CheckRange(ref ulong start, ulong last, ulong length, ulong align, ulong pageOffset)
        {
            if (start + (align - 1) < start)
                return false;
            ulong aligned = (start + (align - 1)) & ~(align - 1);
            aligned |= pageOffset;
            if (aligned >= last || last - aligned < length - 1)
                return false;
            start = aligned;
            return true;
        }
    }

    // ---- UNMAP --------------------------------------------------------------------------------

    /// <summary>iopt_unmap_iova_range: removes every area inside [start, last]; stops at the first area
    /// that is a tombstone (EBUSY) or sticks out (ENOENT), keeping what it already removed. An area an
    /// access has pinned is first handed to the accesses' unmap callbacks (which unpin), then retried.</summary>
    public int UnmapRange(ulong start, ulong last, out ulong unmapped)
    {
        unmapped = 0;
        int tries = 0;
        Area? area;
        while ((area = FirstArea(start, last)) != null)
        {
            if (area.Pages == null || area.NumLocks != 0)
                return -Errno.EBUSY;
            if (area.Start < start || area.Last > last)
                return -Errno.ENOENT;
            if (area.Start != start)
                tries = 0;
            if (area.NumAccesses != 0)
            {
                // The accesses must unpin: tell every access of this IOAS, then look again. An area
                // that stays pinned through 100 rounds is a driver bug (WARN in the kernel).
                start = area.Start;
                area.PreventAccess = true;
                NotifyAccessesOfUnmap(area.Start, area.Length);
                if (++tries > MaxUnmapTries)
                    return -Errno.EDEADLK;
                continue;
            }
            ulong areaLast = area.Last;
            RemoveArea(area);
            unmapped += areaLast - area.Start + 1;
            if (areaLast >= last)
                break;
            start = areaLast + 1;
        }
        return 0;
    }

    /// <summary>iopt_unmap_iova: the range must be non-empty and not wrap.</summary>
    public int Unmap(ulong iova, ulong length, out ulong unmapped)
    {
        unmapped = 0;
        if (length == 0)
            return -Errno.EINVAL;
        if (iova + (length - 1) < iova)
            return -Errno.EOVERFLOW;
        return UnmapRange(iova, iova + (length - 1), out unmapped);
    }

    public int UnmapAll(out ulong unmapped) => UnmapRange(0, ulong.MaxValue, out unmapped);

    private void RemoveArea(Area area)
    {
        Pages pages = area.Pages!;
        if (_domains.Count != 0)
        {
            UnpinArea(area, pages); // iopt_area_unfill_domains
            foreach (IommuDomain d in _domains)
            {
                d.Dirty.Forget(area.Start, area.Last); // the unmapped entries take their dirty bits along
                d.Large.Forget(area.Start, area.Last); // and their MOCK_PFN_HUGE_IOVA
                d.Leaves?.Forget(area.Start, area.Last);
            }
        }
        area.Pages = null;
        _tree.Remove(area);
        AreaCount--;
        pages.Put();
    }

    // ---- VFIO type1 v1 hole punching ----------------------------------------------------------

    /// <summary>iopt_cut_iova: splits the areas containing each IOVA so that IOVA ends an area.</summary>
    public int CutIova(ReadOnlySpan<ulong> iovas)
    {
        foreach (ulong iova in iovas)
        {
            Area? area = FirstArea(iova, iova);
            if (area == null) continue;
            int rc = SplitArea(area, iova);
            if (rc != 0) return rc;
        }
        return 0;
    }

    private int SplitArea(Area area, ulong iova)
    {
        ulong start = area.Start, last = area.Last, newStart = iova + 1;
        if (iova == start || iova == last)
            return 0;
        if (area.Pages == null || area.PreventAccess)
            return -Errno.EBUSY;
        if ((newStart & (IovaAlignment - 1)) != 0 || (area.StartByteOf(newStart) & (IovaAlignment - 1)) != 0)
            return -Errno.EINVAL;
        if (area.NumAccesses != 0)
            return -Errno.EINVAL;
        // A domain may have mapped the area with huge IOPTEs, which a split cannot cut.
        if (_domains.Count != 0 && !DisableLargePages)
            return -Errno.EINVAL;

        Pages pages = area.Pages;
        _tree.Remove(area);
        var lhs = new Area { Start = start, Last = iova, StartByte = area.StartByte, Prot = area.Prot, Pages = pages };
        var rhs = new Area { Start = newStart, Last = last, StartByte = area.StartByteOf(newStart), Prot = area.Prot, Pages = pages };
        _tree.Insert(lhs);
        _tree.Insert(rhs);
        if (_domains.Count != 0)
        {
            // Both halves stay in the domains: their pages are already pinned, so this cannot fail.
            _ = PinArea(lhs, pages);
            _ = PinArea(rhs, pages);
            UnpinArea(area, pages);
        }
        AreaCount++;
        pages.RefCount++;
        return 0;
    }

    // ---- allowed and reserved ranges ----------------------------------------------------------

    /// <summary>iopt_set_allow_iova: replaces the allowed list unless one of the new ranges hits a reserved range.</summary>
    public int SetAllowed(IovaRange[] sortedRanges)
    {
        foreach (IovaRange r in sortedRanges)
            if (ReservedIntersects(r.Start, r.Last))
                return -Errno.EADDRINUSE;
        _allowed = sortedRanges;
        return 0;
    }

    private bool AllowedIntersects(ulong start, ulong last)
    {
        // _allowed is sorted and non-overlapping: find the last range starting at or below `last`.
        int lo = 0, hi = _allowed.Length - 1, idx = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_allowed[mid].Start <= last) { idx = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return idx >= 0 && _allowed[idx].Last >= start;
    }

    /// <summary>iopt_reserve_iova: EADDRINUSE when the range hits an area or an allowed range.</summary>
    public int ReserveIova(ulong start, ulong last, object? owner)
    {
        if (FirstArea(start, last) != null || AllowedIntersects(start, last))
            return -Errno.EADDRINUSE;
        _reserved.Add(new ReservedRange(start, last, owner));
        RebuildReservedSpans();
        return 0;
    }

    /// <summary>Drops every reserved range of <paramref name="owner"/>.</summary>
    public void RemoveReserved(object owner)
    {
        if (_reserved.RemoveAll(r => ReferenceEquals(r.Owner, owner)) > 0)
            RebuildReservedSpans();
    }

    private void RebuildReservedSpans()
    {
        foreach (ReservedSpan s in _reservedSpans)
            _tree.Remove(s);
        var sorted = _reserved.OrderBy(r => r.Start).ToList();
        var spans = new List<ReservedSpan>();
        foreach (ReservedRange r in sorted)
        {
            ReservedSpan? tail = spans.Count > 0 ? spans[^1] : null;
            if (tail != null && (tail.Last == ulong.MaxValue || r.Start <= tail.Last + 1))
                tail.Last = Math.Max(tail.Last, r.Last);
            else
                spans.Add(new ReservedSpan { Start = r.Start, Last = r.Last });
        }
        foreach (ReservedSpan s in spans)
            _tree.Insert(s);
        _reservedSpans = spans;
    }

    // ---- domains -------------------------------------------------------------------------------

    /// <summary>iopt_table_add_domain: the IO page size raises iova_alignment (every area must fit it:
    /// EADDRINUSE; above PAGE_SIZE: EINVAL), the IOVA outside the aperture becomes reserved (an area or
    /// allowed range there: EADDRINUSE), and the domain is filled with every area (pinning: EFAULT,
    /// ENOMEM). On failure nothing changes.</summary>
    public int AddDomain(IommuDomain domain)
    {
        if (_domains.Contains(domain))
            return -Errno.EEXIST;
        ulong newAlignment = Math.Max(domain.MinPageSize, IovaAlignment);
        if (newAlignment > _pageSize)
            return -Errno.EINVAL;
        if (newAlignment != IovaAlignment && !AreasAligned(newAlignment))
            return -Errno.EADDRINUSE;

        int rc = 0;
        if (domain.ApertureStart != 0)
            rc = ReserveIova(0, domain.ApertureStart - 1, domain);
        if (rc == 0 && domain.ApertureLast != ulong.MaxValue)
            rc = ReserveIova(domain.ApertureLast + 1, ulong.MaxValue, domain);
        if (rc == 0 && _domains.Count == 0)
            rc = PinAllAreas();
        if (rc != 0)
        {
            RemoveReserved(domain);
            return rc;
        }
        IovaAlignment = newAlignment;
        _domains.Add(domain);
        MapLargePages(domain);
        return 0;
    }

    /// <summary>iopt_table_remove_domain: the last entry moves into the hole, the domain is unfilled
    /// (the last domain's removal unpins every area), its reservations go and the alignment is recomputed.</summary>
    public void RemoveDomain(IommuDomain domain)
    {
        int index = _domains.IndexOf(domain);
        if (index < 0)
            return;
        _domains[index] = _domains[^1];
        _domains.RemoveAt(_domains.Count - 1);
        domain.Large.Clear(); // iopt_unfill_domain unmaps every area from it
        domain.Leaves?.Clear();
        if (_domains.Count == 0)
            foreach (Area a in Areas())
                if (a.Pages != null)
                    UnpinArea(a, a.Pages);
        RemoveReserved(domain);
        _ = RecalculateAlignment();
    }

    private int PinAllAreas()
    {
        List<Area> areas = Areas();
        for (int i = 0; i < areas.Count; i++)
        {
            if (areas[i].Pages is not { } pages)
                continue;
            int rc = PinArea(areas[i], pages);
            if (rc == 0)
                continue;
            for (int j = 0; j < i; j++)
                if (areas[j].Pages is { } done)
                    UnpinArea(areas[j], done);
            return rc;
        }
        return 0;
    }

    private bool AreasAligned(ulong alignment)
    {
        ulong mask = alignment - 1;
        foreach (Area a in Areas())
            if ((a.Start & mask) != 0 || (a.Length & mask) != 0 || (a.StartByte % _pageSize & mask) != 0)
                return false;
        return true;
    }

    // ---- alignment ----------------------------------------------------------------------------

    /// <summary>iopt_calculate_iova_alignment: raising it needs every area aligned (EADDRINUSE).</summary>
    public int RecalculateAlignment()
    {
        ulong next = Math.Max(DisableLargePages ? _pageSize : 1, ExtraAlignment);
        if (next > IovaAlignment && !AreasAligned(next))
            return -Errno.EADDRINUSE;
        IovaAlignment = next;
        return 0;
    }

    /// <summary>iopt_disable_large_pages (HUGE_PAGES=0, VFIO TYPE1).</summary>
    public int DisableLarge()
    {
        if (DisableLargePages)
            return 0;
        if (DomainCount != 0 && AreaCount != 0)
            return -Errno.EINVAL;
        DisableLargePages = true;
        int rc = RecalculateAlignment();
        if (rc != 0)
            DisableLargePages = false;
        return rc;
    }

    /// <summary>iopt_enable_large_pages (HUGE_PAGES=1).</summary>
    public void EnableLarge()
    {
        DisableLargePages = false;
        _ = RecalculateAlignment();
    }
}
