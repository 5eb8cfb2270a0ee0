using System.Globalization;
using System.Runtime.InteropServices;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>Half-open address ranges of this process, from /proc/self/maps, with the set arithmetic
/// needed to find what a replay mapped: mapped during it, neither before nor after.</summary>
internal static class AddressRanges
{
    /// <summary>Every mapping of this process, sorted and merged.</summary>
    public static List<(ulong Start, ulong End)> Mapped()
    {
        var ranges = new List<(ulong, ulong)>();
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            string span = line[..line.IndexOf(' ')];
            int dash = span.IndexOf('-');
            ranges.Add((ulong.Parse(span[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                        ulong.Parse(span[(dash + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        }
        return Merge(ranges);
    }

    /// <summary>The parts of <paramref name="a"/> outside every range of <paramref name="b"/>.</summary>
    public static List<(ulong Start, ulong End)> Minus(List<(ulong Start, ulong End)> a, List<(ulong Start, ulong End)> b)
    {
        var result = new List<(ulong, ulong)>();
        foreach ((ulong start, ulong end) in a)
        {
            ulong from = start;
            foreach ((ulong bs, ulong be) in b)
            {
                if (be <= from || bs >= end) continue;
                if (bs > from) result.Add((from, bs));
                from = Math.Max(from, be);
            }
            if (from < end) result.Add((from, end));
        }
        return result;
    }

    /// <summary>Whether any range of <paramref name="a"/> meets one of <paramref name="b"/>.</summary>
    public static bool Intersect(List<(ulong Start, ulong End)> a, List<(ulong Start, ulong End)> b) =>
        a.Any(x => b.Any(y => x.Start < y.End && y.Start < x.End));

    private static List<(ulong Start, ulong End)> Merge(List<(ulong Start, ulong End)> ranges)
    {
        var merged = new List<(ulong Start, ulong End)>();
        foreach ((ulong start, ulong end) in ranges.OrderBy(r => r.Start))
        {
            if (merged.Count > 0 && merged[^1].End >= start)
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, end));
            else
                merged.Add((start, end));
        }
        return merged;
    }
}

/// <summary>Inaccessible reservations over address ranges, so nothing else is mapped there until
/// disposed (parts already mapped again are left alone).</summary>
internal sealed partial class AddressReservations : IDisposable
{
    private const int ProtNone = 0, MapPrivate = 0x02, MapAnonymous = 0x20, MapNoReserve = 0x4000, MapFixedNoReplace = 0x100000;
    private readonly List<(nint Address, nuint Length)> _held = [];

    public AddressReservations(IEnumerable<(ulong Start, ulong End)> ranges)
    {
        foreach ((ulong start, ulong end) in ranges)
            Reserve(start, end);
    }

    /// <summary>Bytes held.</summary>
    public ulong Bytes => _held.Aggregate(0UL, (sum, h) => sum + h.Length);

    // Whole range first; where something is mapped again, the halves, down to single pages.
    private void Reserve(ulong start, ulong end)
    {
        nint got = mmap((nint)start, (nuint)(end - start), ProtNone, MapPrivate | MapAnonymous | MapNoReserve | MapFixedNoReplace, -1, 0);
        if (got == (nint)start)
        {
            _held.Add((got, (nuint)(end - start)));
            return;
        }
        if (got != -1) _ = munmap(got, (nuint)(end - start)); // an old kernel took the address as a hint
        ulong page = (ulong)Environment.SystemPageSize;
        if (end - start <= page) return;
        ulong middle = start + (end - start) / 2 / page * page;
        Reserve(start, middle);
        Reserve(middle, end);
    }

    public void Dispose()
    {
        foreach ((nint address, nuint length) in _held)
            _ = munmap(address, length);
        _held.Clear();
    }
}
