using System.Globalization;

namespace IommuFd.Engine.Memory;

/// <summary>
/// What get_user_pages / pin_user_pages would find in this process: every page of a range must lie
/// in a mapping that is readable (or writable, for a write pin), else EFAULT. Read from the mm's
/// /proc/PID/maps (the current mm unless one is named), so it sees the real mappings.
/// </summary>
internal static class ProcessMappings
{
    /// <summary>0 when [start, start+length) can be pinned (with <paramref name="write"/> access), else -EFAULT.</summary>
    public static int CheckPinnable(ulong start, ulong length, bool write) =>
        CheckPinnable(UserMm.Current, start, length, write);

    /// <summary>The same in <paramref name="mm"/> (pages->source_mm): EFAULT once that mm is gone.</summary>
    public static int CheckPinnable(UserMm mm, ulong start, ulong length, bool write) =>
        AccessiblePrefix(mm, start, length, write) >= length ? 0 : -Errno.EFAULT;

    /// <summary>How many bytes from <paramref name="start"/> lie in mappings allowing the access (at most
    /// <paramref name="length"/>): where a page-by-page get_user_pages would first fault.</summary>
    public static ulong AccessiblePrefix(ulong start, ulong length, bool write) =>
        AccessiblePrefix(UserMm.Current, start, length, write);

    /// <summary>The same in <paramref name="mm"/>.</summary>
    public static ulong AccessiblePrefix(UserMm mm, ulong start, ulong length, bool write)
    {
        if (length == 0)
            return 0;
        if (start + length < start)
            return 0;
        ulong cursor = start, end = start + length;
        List<Mapping> maps;
        try
        {
            maps = Read(mm);
        }
        catch (IOException)
        {
            return 0;
        }
        foreach (Mapping m in maps)
        {
            if (m.End <= cursor) continue;
            if (m.Start > cursor) break; // a hole
            if (write ? !m.Write : !m.Read) break;
            cursor = m.End;
            if (cursor >= end) return length;
        }
        return cursor - start;
    }

    /// <summary>True when the page at <paramref name="va"/> is in a hugetlbfs mapping (a compound page,
    /// which MD_CHECK_REFS skips): a real one, or the engine's emulated one (<see cref="EmulatedHugetlb"/>).</summary>
    public static bool IsHugetlb(ulong va)
    {
        if (UserMm.Current == UserMm.Self && EmulatedHugetlb.Contains(va))
            return true;
        try
        {
            foreach (Mapping m in Read(UserMm.Current))
                if (m.Start <= va && va < m.End)
                    return m.Hugetlb;
        }
        catch (IOException)
        {
        }
        return false;
    }

    /// <summary>The hugetlb ranges [start, end) of <paramref name="mm"/> (2 MiB pages, each physically
    /// contiguous and aligned): its hugetlbfs mappings, and for this process the emulated ones.</summary>
    public static List<(ulong Start, ulong End)> HugetlbRanges(UserMm mm)
    {
        List<(ulong Start, ulong End)> ranges = mm == UserMm.Self ? EmulatedHugetlb.Snapshot() : [];
        try
        {
            foreach (Mapping m in Read(mm))
                if (m.Hugetlb)
                    ranges.Add((m.Start, m.End));
        }
        catch (IOException)
        {
        }
        return ranges;
    }

    private readonly record struct Mapping(ulong Start, ulong End, bool Read, bool Write, bool Hugetlb);

    private static List<Mapping> Read(UserMm mm)
    {
        var list = new List<Mapping>();
        foreach (string line in mm.MapsLines())
        {
            // start-end perms offset dev inode [path]
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash < 0 || space < dash || line.Length < space + 5)
                continue;
            ulong s = ulong.Parse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong e = ulong.Parse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            bool hugetlb = line.Contains("anon_hugepage", StringComparison.Ordinal) || line.Contains("/hugepages", StringComparison.Ordinal);
            list.Add(new Mapping(s, e, line[space + 1] == 'r', line[space + 2] == 'w', hugetlb));
        }
        return list;
    }
}
