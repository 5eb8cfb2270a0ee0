namespace IommuFd.Engine.Domains;

/// <summary>
/// iova_bitmap (drivers/iommu/iommufd/iova_bitmap.c): the user's dirty bitmap for [iova, iova+length),
/// one bit per (1 &lt;&lt; __ffs(page_size)) bytes of IOVA, bit 0 at the first byte of <c>data</c> (any
/// alignment), indexed by byte. The kernel only ever sets bits, through a window of pinned user
/// pages: a set outside the window moves it to start at the byte holding the set's first bit and
/// pins (for write) from that byte's page up to the bitmap's last byte (at most 512 pages), stopping
/// at the first page it cannot pin. Bits are then written while they fall in pinned pages, even past
/// the bitmap's last bit (a 1 MiB report near its end); a bit in a page past the window moves it again,
/// and a window that cannot start (its first page unpinnable, or the byte past the bitmap) drops the
/// rest of that set, silently: iova_bitmap_set returns nothing, so GET_DIRTY_BITMAP still succeeds.
/// From 6.12.118 a set that does not lie wholly inside [iova, iova+length) sets nothing and leaves
/// EPROTO as the bitmap's error (the first error is kept).
/// </summary>
internal sealed class IovaBitmap
{
    // The bitmap is indexed in bytes (iova_bitmap's u8 __user *bitmap), whatever its comments say about u64.
    private const ulong WordBits = 8, WordBytes = 1;

    private readonly ulong _iova, _length, _data, _userPageSize;
    private readonly int _pgshift;
    private readonly ulong _totalWords;

    // The window (iova_bitmap_map): pinned pages from the page of word _baseWord.
    private ulong _baseWord, _npages, _mappedIova, _mappedLength, _pgoff;

    // The bits to OR into each user byte, by address; written by Flush.
    private readonly SortedDictionary<ulong, byte> _bytes = [];

    // Whether a user page can be pinned for write (FOLL_WRITE), looked up once per page.
    private readonly Dictionary<ulong, bool> _writable = [];

    // 6.12.118's range check in iova_bitmap_set.
    private readonly bool _rejectOutside;

    /// <summary>0, or the first error a set met (-EPROTO).</summary>
    public int Error { get; private set; }

    public IovaBitmap(ulong iova, ulong length, ulong pageSize, ulong data, ulong userPageSize, bool rejectOutside)
    {
        _rejectOutside = rejectOutside;
        _iova = iova;
        _length = length;
        _data = data;
        _userPageSize = userPageSize;
        _pgshift = System.Numerics.BitOperations.TrailingZeroCount(pageSize);
        _totalWords = ((length - 1) >> _pgshift) / WordBits + 1;
    }

    /// <summary>iova_bitmap_set of [<paramref name="start"/>, <paramref name="start"/>+<paramref name="length"/>).</summary>
    public void Set(ulong start, ulong length)
    {
        if (_rejectOutside && (length == 0 || length > _length || start < _iova || start - _iova > _length - length))
        {
            if (Error == 0)
                Error = -Errno.EPROTO;
            return;
        }
        ulong bitsPerPage = _userPageSize * 8;
        while (true)
        {
            if (!InWindow(start, length) && !AdvanceTo(start))
                return;
            ulong lastPage = _npages - 1;
            ulong cur = ((start - _mappedIova) >> _pgshift) + _pgoff * 8;
            ulong last = ((start + length - 1 - _mappedIova) >> _pgshift) + _pgoff * 8;
            bool moved = false;
            do
            {
                ulong page = cur / bitsPerPage, offset = cur % bitsPerPage;
                ulong nbits = Math.Min(bitsPerPage - offset, last - cur + 1);
                if (page > lastPage)
                {
                    ulong left = (last - cur + 1) << _pgshift;
                    start += length - left;
                    length = left;
                    moved = true;
                    break;
                }
                for (ulong bit = cur; bit < cur + nbits; bit++)
                {
                    ulong address = WindowStart + bit / 8;
                    _bytes[address] = (byte)(_bytes.GetValueOrDefault(address) | (1 << (int)(bit % 8)));
                }
                cur += nbits;
            }
            while (cur <= last);
            if (!moved)
                return;
        }
    }

    // The first pinned page's address.
    private ulong WindowStart => (_data + _baseWord * WordBytes) & ~(_userPageSize - 1);

    // iova_bitmap_mapped_range.
    private bool InWindow(ulong start, ulong length) =>
        _npages != 0 && start >= _mappedIova && start + length - 1 <= _mappedIova + _mappedLength - 1;

    // iova_bitmap_advance_to, then iova_bitmap_get: false when the window cannot start there.
    private bool AdvanceTo(ulong start)
    {
        ulong word = ((start - _iova) >> _pgshift) / WordBits;
        if (word >= _totalWords)
            return false;
        _baseWord = word;
        _npages = 0;
        ulong address = _data + word * WordBytes;
        ulong wanted = ((_totalWords - word) * WordBytes + _userPageSize - 1) / _userPageSize;
        wanted = Math.Min(wanted + (address % _userPageSize != 0 ? 1UL : 0), _userPageSize / 8);
        ulong pinned = 0;
        while (pinned < wanted && Writable((address & ~(_userPageSize - 1)) + pinned * _userPageSize))
            pinned++;
        if (pinned == 0)
            return false;
        _npages = pinned;
        _mappedIova = _iova + ((word * WordBits) << _pgshift);
        _pgoff = address % _userPageSize;
        _mappedLength = MappedLength();
        return true;
    }

    // iova_bitmap_mapped_length: what the window's words cover, capped at the bitmap's last IOVA.
    private ulong MappedLength()
    {
        ulong maxIova = _iova + _length - 1;
        ulong bytes = _npages * _userPageSize - _pgoff;
        ulong words = Math.Min(_totalWords - _baseWord, (bytes + WordBytes - 1) / WordBytes);
        ulong remaining = (words * WordBits) << _pgshift;
        if (_mappedIova + remaining - 1 > maxIova)
            remaining -= (_mappedIova + remaining - 1) - maxIova;
        return remaining;
    }

    /// <summary>Writes the collected bits into user memory: each run of consecutive bytes within one user
    /// page is read, OR-ed and written back.</summary>
    public void Flush()
    {
        var run = new List<(ulong Address, byte Bits)>();
        foreach (KeyValuePair<ulong, byte> b in _bytes)
        {
            if (run.Count != 0 && (b.Key != run[^1].Address + 1 || PageOf(b.Key) != PageOf(run[0].Address)))
            {
                WriteRun(run);
                run.Clear();
            }
            run.Add((b.Key, b.Value));
        }
        if (run.Count != 0)
            WriteRun(run);
    }

    private ulong PageOf(ulong address) => address & ~(_userPageSize - 1);

    private static void WriteRun(List<(ulong Address, byte Bits)> run)
    {
        var bytes = new byte[run.Count];
        ulong address = run[0].Address;
        if (UserAccess.CopyFromUser(bytes, address) != 0)
            return; // not reached: the page was found writable
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] |= run[i].Bits;
        _ = UserAccess.CopyToUser(bytes, address);
    }

    private bool Writable(ulong page)
    {
        if (!_writable.TryGetValue(page, out bool ok))
        {
            ok = ProcessMappings.CheckPinnable(page, _userPageSize, write: true) == 0;
            _writable[page] = ok;
        }
        return ok;
    }
}
