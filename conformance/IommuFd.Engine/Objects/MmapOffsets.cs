namespace IommuFd.Engine.Objects;

/// <summary>ictx->mt_mmap: the mmap offsets of the iommufd file that drivers hand out (_iommufd_alloc_mmap):
/// the lowest free range of the length, from the second page on (offset 0 is never given).</summary>
internal sealed class MmapOffsets(ulong pageSize)
{
    private readonly SortedDictionary<ulong, ulong> _ranges = []; // start → length

    /// <summary>mtree_alloc_range over [PAGE_SIZE, ULONG_MAX].</summary>
    public ulong Allocate(ulong length)
    {
        ulong start = pageSize;
        foreach ((ulong used, ulong usedLength) in _ranges)
        {
            if (used - start >= length)
                break;
            start = Math.Max(start, used + usedLength);
        }
        _ranges.Add(start, length);
        return start;
    }

    public void Free(ulong start) => _ranges.Remove(start);
}
