namespace IommuFd.Engine.IoPageTable;

/// <summary>What an io_pagetable needs of an iommufd_access in its access_list.</summary>
internal interface IIoptAccess
{
    /// <summary>1, or PAGE_SIZE for an access that pins pages: it raises the IOAS's iova_alignment.</summary>
    ulong IovaAlignment { get; }

    /// <summary>The driver's unmap op: stop using [iova, iova+length) and unpin it before returning.
    /// Not called once the access is being destroyed (iommufd_lock_obj fails).</summary>
    void NotifyUnmap(ulong iova, ulong length);

    bool Destroying { get; }
}

/// <summary>The access paths of io_pagetable.c, device.c and pages.c: the access list, pinning for an
/// access (iommufd_access_pin_pages / unpin_pages) and CPU reads and writes (iommufd_access_rw).</summary>
internal sealed partial class IoPageTable
{
    private const int MaxUnmapTries = 100;
    private const uint AccessListLimit = 0xFFFF; // xa_limit_16b

    /// <summary>ACCESS_RW flag bits the pages paths read (IOMMUFD_ACCESS_RW_*).</summary>
    public const uint RwWrite = 1, RwSlowPath = 4;

    // iopt->access_list: an allocating xarray, lowest free index first.
    private readonly SortedDictionary<uint, IIoptAccess> _accesses = [];

    public int AccessCount => _accesses.Count;

    /// <summary>iopt_add_access: a list slot (EBUSY when 2^16 are taken), then the alignment the access
    /// demands (EADDRINUSE when an area does not fit it; the access is not added).</summary>
    public int AddAccess(IIoptAccess access, out uint listId)
    {
        listId = 0;
        while (_accesses.ContainsKey(listId))
        {
            if (listId == AccessListLimit)
                return -Errno.EBUSY;
            listId++;
        }
        _accesses.Add(listId, access);
        int rc = RecalculateAlignment();
        if (rc != 0)
            _accesses.Remove(listId);
        return rc;
    }

    /// <summary>iopt_remove_access: the alignment may drop again.</summary>
    public void RemoveAccess(uint listId)
    {
        _accesses.Remove(listId);
        _ = RecalculateAlignment();
    }

    /// <summary>iommufd_access_notify_unmap: every live access of this IOAS, in list order.</summary>
    private void NotifyAccessesOfUnmap(ulong iova, ulong length)
    {
        foreach (IIoptAccess access in _accesses.Values.ToArray())
            if (!access.Destroying)
                access.NotifyUnmap(iova, length);
    }

    /// <summary>The populated area holding <paramref name="iova"/> (iopt_area_contig_init), or null.</summary>
    private Area? ContigFirst(ulong iova)
    {
        Area? area = FirstArea(iova, iova);
        return area?.Pages == null ? null : area;
    }

    /// <summary>iopt_area_contig_next: the populated area starting right after <paramref name="area"/>,
    /// or null when [.., lastIova] ends inside it or the run has a gap.</summary>
    private Area? ContigNext(Area area, ulong lastIova)
    {
        if (lastIova <= area.Last)
            return null;
        Area? next = NextArea(area, lastIova);
        return next == null || next.Start != area.Last + 1 || next.Pages == null ? null : next;
    }

    private ulong PageIndex(Area area, ulong iova) => area.StartByteOf(iova) / _pageSize;

    /// <summary>iommufd_access_pin_pages over this table: every area of the contiguous run covering
    /// [iova, lastIova] must allow access (not being unmapped, page aligned at the joins: EINVAL), have
    /// the right protection (EPERM), and pin (pages not writable for a write: EPERM; pinning: EFAULT,
    /// ENOMEM); a gap is ENOENT. On failure what was pinned is undone. The page VAs pinned go to
    /// <paramref name="pageVas"/>. An internal access (<paramref name="lockArea"/>, 7.3's HW queue) also
    /// locks the areas: unmapping them is EBUSY until it unpins.</summary>
    public int PinForAccess(ulong iova, ulong lastIova, bool write, List<PageName> pageVas, bool lockArea = false)
    {
        ulong cur = iova;
        int rc = 0;
        for (Area? area = ContigFirst(iova); area != null; area = ContigNext(area, lastIova))
        {
            ulong last = Math.Min(lastIova, area.Last);
            bool aligned = area.StartByteOf(cur) % _pageSize == 0 &&
                (lastIova <= area.Last || area.StartByteOf(area.Last) % _pageSize == _pageSize - 1);
            if (area.PreventAccess || !aligned)
                rc = -Errno.EINVAL;
            else if (!AllowsAccess(area, write))
                rc = -Errno.EPERM;
            else if (write && !area.Pages!.Writable)
                rc = -Errno.EPERM; // iopt_area_add_access
            else
                rc = area.Pages!.Pin(_pins, PageIndex(area, cur), PageIndex(area, last), _pageSize);
            if (rc != 0)
                break;
            area.NumAccesses++;
            if (lockArea)
                area.NumLocks++;
            for (ulong i = PageIndex(area, cur); i <= PageIndex(area, last); i++)
                pageVas.Add(area.Pages!.NameOf(i, _pageSize));
            if (lastIova <= area.Last)
                return 0;
            cur = area.Last + 1;
        }
        if (rc == 0)
            rc = -Errno.ENOENT;
        if (iova < cur)
            UnpinForAccess(iova, cur - 1, lockArea);
        pageVas.Clear();
        return rc;
    }

    /// <summary>iommufd_access_unpin_pages: releases one access pin of [iova, lastIova] in each area of
    /// the contiguous run (exactly what a matching <see cref="PinForAccess"/> took).</summary>
    public void UnpinForAccess(ulong iova, ulong lastIova, bool lockArea = false)
    {
        ulong cur = iova;
        for (Area? area = ContigFirst(iova); area != null; area = ContigNext(area, lastIova))
        {
            ulong last = Math.Min(lastIova, area.Last);
            area.NumAccesses--;
            if (lockArea)
                area.NumLocks--;
            area.Pages!.Unpin(_pins, PageIndex(area, cur), PageIndex(area, last), _pageSize);
            cur = area.Last + 1;
        }
    }

    private static bool AllowsAccess(Area area, bool write) =>
        (area.Prot & (write ? IommuProt.Write : IommuProt.Read)) != 0;

    /// <summary>iommufd_access_rw over this table: copies <paramref name="data"/> to (RwWrite) or from
    /// the user memory behind [iova, iova+length) area by area. An area being unmapped is EINVAL, the
    /// wrong protection EPERM, a gap (or nothing mapped at iova) ENOENT; areas already copied stay
    /// copied when a later one fails.</summary>
    public int ReadWrite(ulong iova, Span<byte> data, uint flags)
    {
        ulong lastIova = iova + (ulong)data.Length - 1;
        bool write = (flags & RwWrite) != 0;
        ulong cur = iova;
        for (Area? area = ContigFirst(iova); area != null; area = ContigNext(area, lastIova))
        {
            ulong last = Math.Min(lastIova, area.Last);
            int bytes = (int)(last - cur + 1);
            if (area.PreventAccess)
                return -Errno.EINVAL;
            if (!AllowsAccess(area, write))
                return -Errno.EPERM;
            int rc = PagesReadWrite(area.Pages!, area.StartByteOf(cur), data[..bytes], flags);
            if (rc != 0)
                return rc;
            data = data[bytes..];
            if (lastIova <= area.Last)
                return 0;
            cur = area.Last + 1;
        }
        return -Errno.ENOENT;
    }

    /// <summary>iopt_pages_rw_access. When the caller shares the pages' mm, the fast path copies through
    /// the user VA (EFAULT where it is not mapped or not writable). Otherwise (pages another process
    /// mapped), and always on the test-only slow path, it pins instead: a single page with the
    /// direction's FOLL_WRITE (iopt_pages_rw_page; when the pages' mm is gone, the pfn reader instead),
    /// several through the pfn reader, which takes pinned pages as they are and pins the others from the
    /// pages' mm as the pages object does (writable map: FOLL_WRITE), charging them for the moment of
    /// the copy. File pages always take the pfn reader (their pins come from the file).</summary>
    private int PagesReadWrite(Pages pages, ulong startByte, Span<byte> data, uint flags)
    {
        bool write = (flags & RwWrite) != 0;
        if (write && !pages.Writable)
            return -Errno.EPERM;
        ulong address = pages.Uptr + startByte;
        ulong first = startByte / _pageSize, last = (startByte + (ulong)data.Length - 1) / _pageSize;
        bool changeMm = pages.Mm != UserMm.Current || (flags & RwSlowPath) != 0 || pages.File != null;
        int rc = 0;
        if (changeMm)
        {
            ulong usable = (ulong)data.Length;
            if (first == last && pages.Mm.IsAlive && pages.File == null)
                rc = ProcessMappings.CheckPinnable(pages.Mm, pages.Uptr + first * _pageSize, _pageSize, write);
            else
                rc = SlowPathPinnablePrefix(pages, first, last, address, ref usable);
            if (rc != 0)
            {
                // The pfn reader copies batch by batch: what precedes the first unpinnable page is done.
                if (write && usable > 0)
                    _ = pages.Transfer(data[..(int)usable], address, write: true, _pageSize);
                return rc;
            }
        }
        return pages.Transfer(data, address, write, _pageSize) == data.Length ? 0 : -Errno.EFAULT;
    }

    /// <summary>The pfn reader's view of pages [first, last]: pinned pages are read as they are, every
    /// other page must pin (EFAULT) and be chargeable (ENOMEM). <paramref name="usable"/> becomes the
    /// bytes from <paramref name="address"/> before the first page that fails.</summary>
    private int SlowPathPinnablePrefix(Pages pages, ulong first, ulong last, ulong address, ref ulong usable)
    {
        ulong unpinned = 0;
        for (ulong i = first; i <= last; i++)
        {
            if (pages.IsPinned(i))
                continue;
            int rc = pages.CheckPinnable(i, 1, _pageSize);
            if (rc != 0)
            {
                usable = Math.Min(usable, pages.Uptr + i * _pageSize - address);
                return rc;
            }
            unpinned++;
        }
        int charge = _pins.Charge(pages.AccountMode, unpinned, _pageSize);
        if (charge != 0)
        {
            usable = 0;
            return charge;
        }
        _pins.Uncharge(pages.AccountMode, unpinned);
        return 0;
    }
}
