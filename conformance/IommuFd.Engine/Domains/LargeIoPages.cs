namespace IommuFd.Engine.Domains;

/// <summary>
/// Which 2 KiB entries of a mock domain were mapped as part of a larger IO page: mock_domain_map_pages
/// sets MOCK_PFN_HUGE_IOVA on every entry of a map_pages call whose page size is not the 2 KiB one.
/// Only domains whose pgsize_bitmap has a larger size get any (MOCK_FLAGS_DEVICE_HUGE_IOVA). The flag
/// lives in the entry, so unmapping an entry drops it and an entry keeps it for as long as it is mapped.
/// </summary>
internal sealed class LargeIoPages
{
    private const ulong IoPage = MockIommu.IoPageSize;

    // Entry indices (IOVA / 2 KiB) flagged MOCK_PFN_HUGE_IOVA.
    private readonly SortedSet<ulong> _entries = [];

    public bool IsEmpty => _entries.Count == 0;

    /// <summary>Flags the entries of the IOVA block [<paramref name="start"/>, <paramref name="start"/>+<paramref name="length"/>).</summary>
    public void Mark(ulong start, ulong length)
    {
        for (ulong index = start / IoPage; index <= (start + length - 1) / IoPage; index++)
            _entries.Add(index);
    }

    /// <summary>True when the entry at <paramref name="index"/> is flagged.</summary>
    public bool Contains(ulong index) => _entries.Contains(index);

    /// <summary>The lowest flagged entry index in [<paramref name="first"/>, <paramref name="last"/>], or null.</summary>
    public ulong? First(ulong first, ulong last)
    {
        if (_entries.Count == 0 || first > last)
            return null;
        SortedSet<ulong> view = _entries.GetViewBetween(first, last);
        return view.Count == 0 ? null : view.Min;
    }

    /// <summary>The entries of [<paramref name="start"/>, <paramref name="last"/>] are unmapped.</summary>
    public void Forget(ulong start, ulong last)
    {
        if (_entries.Count != 0)
            _entries.GetViewBetween(start / IoPage, last / IoPage).Clear();
    }

    /// <summary>The whole domain is unmapped.</summary>
    public void Clear() => _entries.Clear();
}
