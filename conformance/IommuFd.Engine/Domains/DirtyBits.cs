namespace IommuFd.Engine.Domains;

/// <summary>
/// The selftest mock domain's dirty-tracking state (selftest.c): the MOCK_DIRTY_TRACK flag and one
/// dirty bit per mapped 2 KiB IO page. The kernel keeps the bit (MOCK_PFN_DIRTY_IOVA) in the page's
/// pfn entry, so a bit exists only while its page is mapped and unmapping the page drops it.
/// </summary>
internal sealed class DirtyBits(LargeIoPages large)
{
    private const ulong IoPage = MockIommu.IoPageSize;
    private const ulong HugePage = MockIommu.HugePageSize;

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

    /// <summary>mock_domain_read_and_clear_dirty over [<paramref name="iova"/>, <paramref name="iova"/>+<paramref name="length"/>),
    /// a range of mapped entries. With a bitmap the domain must be tracking (EINVAL); without one (the
    /// clean-up before enabling) it need not. The walk steps from iova: an entry flagged as part of a
    /// 1 MiB IO page makes the step 1 MiB, tests and clears (unless <paramref name="noClear"/>) the dirty
    /// bits of the whole aligned 1 MiB around it, and reports [step start, step start + 1 MiB), not the
    /// aligned head; any other entry is its own 2 KiB step. So an unaligned start reports a shifted MiB
    /// (possibly past the range) and skips the next block's first entries.</summary>
    public int ReadAndClear(ulong iova, ulong length, bool noClear, IovaBitmap? bitmap)
    {
        if (!Tracking && bitmap != null)
            return -Errno.EINVAL;
        if (_dirty.Count == 0)
            return 0;
        ulong end = iova + length, cur = iova;
        do
        {
            ulong index = cur / IoPage;
            if (large.Contains(index))
            {
                ulong head = cur & ~(HugePage - 1);
                if (TestAndClear(head / IoPage, (head + HugePage - 1) / IoPage, noClear))
                    bitmap?.Set(cur, HugePage);
                if (cur + HugePage < cur)
                    break;
                cur += HugePage;
                continue;
            }
            // A run of 2 KiB steps up to the next flagged entry (or the end): each dirty entry in it
            // reports its own step.
            ulong lastIndex = (end - 1) / IoPage;
            ulong stopIndex = large.First(index, lastIndex) ?? lastIndex + 1;
            ulong offset = cur % IoPage;
            if (stopIndex > index)
                foreach (ulong dirty in _dirty.GetViewBetween(index, stopIndex - 1).ToArray())
                {
                    if (!noClear)
                        _dirty.Remove(dirty);
                    bitmap?.Set(dirty * IoPage + offset, IoPage);
                }
            ulong next = stopIndex * IoPage + offset;
            if (next <= cur)
                break;
            cur = next;
        }
        while (cur < end);
        return 0;
    }

    // mock_test_and_clear_dirty over the entries [first, last]: true if any was dirty.
    private bool TestAndClear(ulong first, ulong last, bool noClear)
    {
        SortedSet<ulong> view = _dirty.GetViewBetween(first, last);
        if (view.Count == 0)
            return false;
        if (!noClear)
            view.Clear();
        return true;
    }
}
