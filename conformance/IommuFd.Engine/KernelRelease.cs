using System.Globalization;

namespace IommuFd.Engine;

/// <summary>A kernel release, major.minor.sublevel (7.3.4): which kernel the engine answers as.
/// The engine models the releases it was checked against (<see cref="Lts"/>, <see cref="Stable"/>);
/// any other release answers as the model of the newest series not newer than its own, and a release
/// older than every model as the oldest (docs/engine-notes.md, "Kernel versions"). Within a series the
/// sublevel matters only where a stable update changed an answer.</summary>
public readonly record struct KernelRelease(int Major, int Minor, int Sublevel) : IComparable<KernelRelease>
{
    /// <summary>The LTS release of Debian's linux-source-6.12 the engine was checked against.</summary>
    public static KernelRelease Lts { get; } = new(6, 12, 118);

    /// <summary>The stable release of Debian's linux-source-7.3 the engine was checked against.</summary>
    public static KernelRelease Stable { get; } = new(7, 3, 4);

    /// <summary>The releases the engine models, oldest first.</summary>
    public static IReadOnlyList<KernelRelease> Modelled { get; } = [Lts, Stable];

    /// <summary>The modelled release whose answers this release gets: the one of the newest modelled
    /// series not newer than this release's series (the oldest for an older release).</summary>
    public KernelRelease Model
    {
        get
        {
            (int, int) series = (Major, Minor);
            return Modelled.LastOrDefault(m => (m.Major, m.Minor).CompareTo(series) <= 0, Modelled[0]);
        }
    }

    /// <summary>True when this release is <paramref name="major"/>.<paramref name="minor"/>.0 or newer.</summary>
    public bool AtLeast(int major, int minor, int sublevel = 0) => CompareTo(new KernelRelease(major, minor, sublevel)) >= 0;

    /// <summary>True when this release is of the series <paramref name="major"/>.<paramref name="minor"/>.</summary>
    public bool InSeries(int major, int minor) => Major == major && Minor == minor;

    /// <summary>Orders by major, minor, then sublevel.</summary>
    public int CompareTo(KernelRelease other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor != other.Minor ? Minor.CompareTo(other.Minor) : Sublevel.CompareTo(other.Sublevel);

    /// <summary>"major.minor.sublevel".</summary>
    public override string ToString() => $"{Major}.{Minor}.{Sublevel}";

    /// <summary>Reads a release string as /proc/sys/kernel/osrelease or uname -r print it
    /// ("6.12.118+deb12-amd64", "7.3.4", "6.12"): the leading digits and dots, a missing sublevel
    /// being 0. Null when it does not start with major.minor.</summary>
    public static KernelRelease? TryParse(string release)
    {
        string[] parts = new string(release.Trim().TakeWhile(c => char.IsAsciiDigit(c) || c == '.').ToArray()).Split('.');
        if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int minor))
            return null;
        int sublevel = parts.Length > 2 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int s) ? s : 0;
        return new KernelRelease(major, minor, sublevel);
    }

    /// <summary>Like <see cref="TryParse"/>, throwing <see cref="FormatException"/> with the text.</summary>
    public static KernelRelease Parse(string release) =>
        TryParse(release) ?? throw new FormatException($"'{release}' is not a kernel release (major.minor[.sublevel])");
}
