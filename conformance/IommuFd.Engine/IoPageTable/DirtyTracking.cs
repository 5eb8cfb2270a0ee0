using IommuFd.Engine.Domains;

namespace IommuFd.Engine.IoPageTable;

/// <summary>The dirty-tracking half of io_pagetable.c: iopt_set_dirty_tracking and
/// iopt_read_and_clear_dirty_data, for a domain of this IOAS.</summary>
internal static class DirtyTracking
{
    /// <summary>iopt_set_dirty_tracking: a domain without dirty ops refuses both ways (EOPNOTSUPP).
    /// Enabling first clears every mapped page's dirty bit, so tracking starts from a clean snapshot;
    /// disabling keeps the bits.</summary>
    public static int Set(IoPageTable iopt, IommuDomain domain, bool enable)
    {
        if (!domain.DirtyOps)
            return -Errno.EOPNOTSUPP;
        if (enable)
            foreach (Area area in iopt.Areas())
                if (area.Pages != null)
                    _ = domain.ReadAndClearDirty(area.Start, area.Length, noClear: false, bitmap: null);
        domain.Dirty.Tracking = enable;
        return 0;
    }

    /// <summary>iommufd_check_iova_range: non-empty, no wrap, both ends aligned to the IOAS's
    /// iova_alignment, then to page_size (tested as a mask, so a page_size that is no power of two
    /// passes whenever its low bits allow).</summary>
    public static int CheckIovaRange(IoPageTable iopt, ulong iova, ulong length, ulong pageSize)
    {
        ulong alignMask = iopt.IovaAlignment - 1;
        if (length == 0)
            return -Errno.EINVAL;
        ulong last = iova + (length - 1);
        if (last < iova)
            return -Errno.EOVERFLOW;
        if ((iova & alignMask) != 0 || ((last + 1) & alignMask) != 0)
            return -Errno.EINVAL;
        if (pageSize == 0)
            return -Errno.EINVAL;
        if ((iova & (pageSize - 1)) != 0 || ((last + 1) & (pageSize - 1)) != 0)
            return -Errno.EINVAL;
        return 0;
    }

    /// <summary>iopt_read_and_clear_dirty_data: after the range checks and the dirty-ops check, the
    /// domain's dirty pages in the range are reported into the user bitmap at <paramref name="data"/>
    /// (and cleared unless <paramref name="noClear"/>). Bits already written stay written whatever the
    /// result. With <paramref name="reportErrors"/> (6.12.118 on) the walk's error is returned (EINVAL
    /// for a hole or a domain not tracking), else the bitmap's (EPROTO: a report reached outside the
    /// range). Before 6.12.118, and in 7.3, the result is dropped and the call answers 0.</summary>
    public static int ReadAndClear(IoPageTable iopt, IommuDomain domain, ulong iova, ulong length, ulong pageSize,
        ulong data, bool noClear, ulong userPageSize, bool reportErrors)
    {
        int rc = CheckIovaRange(iopt, iova, length, pageSize);
        if (rc != 0)
            return rc;
        if (!domain.DirtyOps)
            return -Errno.EOPNOTSUPP;
        var bitmap = new IovaBitmap(iova, length, pageSize, data, userPageSize, rejectOutside: reportErrors);
        rc = ReadContiguous(iopt, domain, iova, iova + (length - 1), noClear, bitmap);
        bitmap.Flush();
        if (!reportErrors)
            return 0;
        return rc != 0 ? rc : bitmap.Error;
    }

    // __iommu_read_and_clear_dirty: the contiguous areas from the one holding iova; a hole, or an area
    // being set up, ends the walk with EINVAL.
    private static int ReadContiguous(IoPageTable iopt, IommuDomain domain, ulong iova, ulong last, bool noClear, IovaBitmap bitmap)
    {
        ulong cur = iova;
        Area? area = iopt.FirstArea(iova, iova);
        if (area?.Pages == null)
            return -Errno.EINVAL;
        while (true)
        {
            ulong end = Math.Min(last, area.Last);
            int rc = domain.ReadAndClearDirty(cur, end - cur + 1, noClear, bitmap);
            if (rc != 0)
                return rc;
            if (last <= area.Last)
                return 0;
            cur = area.Last + 1;
            area = iopt.NextArea(area, last);
            if (area == null || area.Start != cur || area.Pages == null)
                return -Errno.EINVAL;
        }
    }
}
