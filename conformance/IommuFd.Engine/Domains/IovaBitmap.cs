using IommuFd.Engine.Memory;

namespace IommuFd.Engine.Domains;

/// <summary>
/// iova_bitmap (drivers/iommu/iommufd/iova_bitmap.c): the user's dirty bitmap for [iova, iova+length),
/// one bit per (1 &lt;&lt; __ffs(page_size)) bytes of IOVA, bit 0 at the first byte of <c>data</c> (any
/// alignment). The kernel pins the bitmap's pages for write as it goes and only ever sets bits. A set
/// that reaches a page it cannot pin is dropped from there on, silently: iova_bitmap_set returns
/// nothing, so GET_DIRTY_BITMAP still succeeds.
/// </summary>
internal sealed class IovaBitmap(ulong iova, ulong pageSize, ulong data, ulong userPageSize)
{
    private readonly int _pgshift = System.Numerics.BitOperations.TrailingZeroCount(pageSize);

    // The bits to OR into each user byte, by byte index from data; written by Flush.
    private readonly SortedDictionary<ulong, byte> _bytes = [];

    // Whether a user page can be pinned for write (FOLL_WRITE), looked up once per page.
    private readonly Dictionary<ulong, bool> _writable = [];

    /// <summary>iova_bitmap_set: the bits of [<paramref name="start"/>, <paramref name="start"/>+<paramref name="length"/>),
    /// in order, up to the first one whose byte lies in a page that cannot be pinned for write.</summary>
    public void Set(ulong start, ulong length)
    {
        ulong firstBit = (start - iova) >> _pgshift, lastBit = (start + length - 1 - iova) >> _pgshift;
        for (ulong bit = firstBit; bit <= lastBit; bit++)
        {
            ulong index = bit / 8;
            if (!Writable(PageOf(index)))
                return;
            _bytes[index] = (byte)(_bytes.GetValueOrDefault(index) | (1 << (int)(bit % 8)));
        }
    }

    /// <summary>Writes the collected bits into user memory: each run of consecutive bytes within one user
    /// page is read, OR-ed and written back.</summary>
    public void Flush()
    {
        var run = new List<(ulong Index, byte Bits)>();
        foreach (KeyValuePair<ulong, byte> b in _bytes)
        {
            if (run.Count != 0 && (b.Key != run[^1].Index + 1 || PageOf(b.Key) != PageOf(run[0].Index)))
            {
                WriteRun(run);
                run.Clear();
            }
            run.Add((b.Key, b.Value));
        }
        if (run.Count != 0)
            WriteRun(run);
    }

    private ulong PageOf(ulong index) => (data + index) & ~(userPageSize - 1);

    private void WriteRun(List<(ulong Index, byte Bits)> run)
    {
        var bytes = new byte[run.Count];
        ulong address = data + run[0].Index;
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
            ok = ProcessMappings.CheckPinnable(page, userPageSize, write: true) == 0;
            _writable[page] = ok;
        }
        return ok;
    }
}
