namespace IommuFd.Engine.Domains;

/// <summary>
/// The selftest mock domain's dirty-tracking state (selftest.c): the MOCK_DIRTY_TRACK flag and one
/// dirty bit per mapped 2 KiB IO page. The kernel keeps the bit (MOCK_PFN_DIRTY_IOVA) in the page's
/// pfn entry, so a bit exists only while its page is mapped and unmapping the page drops it.
/// </summary>
internal sealed class DirtyBits
{
    private const ulong IoPage = MockIommu.IoPageSize;

    // Indices of the dirty IO pages (IOVA / IO page size: the pfn xarray's index).
    private readonly SortedSet<ulong> _dirty = [];

    /// <summary>MOCK_DIRTY_TRACK: set and cleared by IOMMU_HWPT_SET_DIRTY_TRACKING.</summary>
    public bool Tracking { get; set; }

    /// <summary>Marks the IO page at xarray index <paramref name="index"/> (IOMMU_TEST_OP_DIRTY).</summary>
    public void Mark(ulong index) => _dirty.Add(index);

    /// <summary>mock_domain_unmap_pages erases the entries of [<paramref name="start"/>, <paramref name="last"/>] and their bits.</summary>
    public void Forget(ulong start, ulong last)
    {
        if (_dirty.Count != 0)
            _dirty.GetViewBetween(start / IoPage, last / IoPage).Clear();
    }

    /// <summary>mock_domain_read_and_clear_dirty over the mapped range [<paramref name="iova"/>,
    /// <paramref name="iova"/>+<paramref name="length"/>): each dirty IO page is reported to
    /// <paramref name="bitmap"/> and cleared unless <paramref name="noClear"/>. With a bitmap the domain
    /// must be tracking (EINVAL); without one (the clean-up before enabling) it need not.</summary>
    public int ReadAndClear(ulong iova, ulong length, bool noClear, IovaBitmap? bitmap)
    {
        if (!Tracking && bitmap != null)
            return -Errno.EINVAL;
        if (_dirty.Count == 0)
            return 0;
        ulong first = iova / IoPage, last = (iova + length - 1) / IoPage;
        foreach (ulong index in _dirty.GetViewBetween(first, last).ToArray())
        {
            if (!noClear)
                _dirty.Remove(index);
            bitmap?.Set(index * IoPage, IoPage);
        }
        return 0;
    }
}
