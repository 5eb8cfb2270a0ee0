using System.Globalization;

namespace IommuFd.Engine.Memory;

/// <summary>A file as /proc/PID/maps names the file behind a mapping: its device and inode.</summary>
internal readonly record struct FileIdentity(uint Major, uint Minor, ulong Inode)
{
    /// <summary>From a struct stat st_dev (glibc's dev_t encoding) and st_ino.</summary>
    public static FileIdentity FromStat(ulong dev, ulong inode) =>
        new((uint)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffUL)), (uint)((dev & 0xff) | ((dev >> 12) & ~0xffUL)), inode);
}

/// <summary>A page the engine pinned, by name: a user VA, or (for a file mapping) an offset in a file.
/// The engine has no physical pages; two names are the same page when a shared mapping of the file
/// places that offset at that VA.</summary>
internal readonly record struct PageName(FileIdentity? File, ulong Address);

/// <summary>
/// The shared file mappings of the current mm (from its /proc/PID/maps, read once): where a user VA
/// shows a page of a file, as the selftests' memfd buffer (MAP_SHARED of the memfd) shows the file's
/// pages, so MD_CHECK_MAP, MD_CHECK_REFS and ACCESS_PAGES can compare a user address with a page pinned
/// through the file.
/// </summary>
internal sealed class SharedFileMappings
{
    private readonly record struct Entry(ulong Start, ulong End, ulong Offset, FileIdentity File);

    private readonly List<Entry> _entries = [];

    private SharedFileMappings() { }

    /// <summary>The shared file mappings of current-&gt;mm now.</summary>
    public static SharedFileMappings OfCurrent()
    {
        var maps = new SharedFileMappings();
        foreach (string line in UserMm.Current.MapsLines())
        {
            // start-end perms offset major:minor inode [path]
            string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 5 || f[1].Length < 4 || f[1][3] != 's')
                continue;
            string[] range = f[0].Split('-');
            string[] dev = f[3].Split(':');
            ulong inode = ulong.Parse(f[4], CultureInfo.InvariantCulture);
            if (range.Length != 2 || dev.Length != 2 || inode == 0)
                continue;
            maps._entries.Add(new Entry(Hex(range[0]), Hex(range[1]), Hex(f[2]),
                new FileIdentity((uint)Hex(dev[0]), (uint)Hex(dev[1]), inode)));
        }
        return maps;
    }

    /// <summary>The file and offset a shared mapping shows at <paramref name="va"/>, or false.</summary>
    public bool TryResolve(ulong va, out FileIdentity file, out ulong offset)
    {
        foreach (Entry e in _entries)
        {
            if (e.Start <= va && va < e.End)
            {
                (file, offset) = (e.File, e.Offset + (va - e.Start));
                return true;
            }
        }
        (file, offset) = (default, 0);
        return false;
    }

    /// <summary>True when <paramref name="page"/> is what the current mm shows at <paramref name="va"/>
    /// (a user page by its VA; a file page through a shared mapping of its file).</summary>
    public bool Shows(ulong va, PageName page) =>
        page.File is not { } file ? page.Address == va
            : TryResolve(va, out FileIdentity at, out ulong offset) && at == file && offset == page.Address;

    private static ulong Hex(string text) => ulong.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
