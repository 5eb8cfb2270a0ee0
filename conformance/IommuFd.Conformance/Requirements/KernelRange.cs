namespace IommuFd.Conformance.Requirements;

/// <summary>Kernel releases from <see cref="From"/> (inclusive) to before <see cref="Before"/>:
/// written <c>&gt;=6.12</c>, <c>&lt;7.3</c> or both, space separated.</summary>
/// <param name="From">Lowest release in the range, or null.</param>
/// <param name="Before">First release past the range, or null.</param>
public sealed record KernelRange(Version? From, Version? Before)
{
    /// <summary>Parses <c>&gt;=A.B[.C]</c> and/or <c>&lt;A.B[.C]</c>.</summary>
    /// <exception cref="FormatException">Anything else, or an empty range.</exception>
    public static KernelRange Parse(string text)
    {
        Version? from = null, before = null;
        foreach (string part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith(">=", StringComparison.Ordinal) && from is null) from = Release(part[2..]);
            else if (part.StartsWith('<') && before is null) before = Release(part[1..]);
            else throw new FormatException($"kernel range '{text}': '{part}' is not '>=A.B[.C]' or '<A.B[.C]' (each at most once)");
        }
        if (from is null && before is null)
            throw new FormatException("a kernel need names a range, e.g. 'kernel >=7.3'");
        if (from is not null && before is not null && from >= before)
            throw new FormatException($"kernel range '{text}' is empty");
        return new KernelRange(from, before);
    }

    /// <summary>The release's major.minor.sublevel (<c>6.12.118+deb12-amd64</c> gives 6.12.118), or null.</summary>
    public static Version? ReleaseVersion(string release)
    {
        string digits = new(release.Trim().TakeWhile(c => char.IsDigit(c) || c == '.').ToArray());
        string[] parts = digits.Split('.', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && Version.TryParse(string.Join('.', parts.Take(3)), out Version? v) ? v : null;
    }

    /// <summary>True when <paramref name="release"/> lies in the range (a missing sublevel counts as 0).</summary>
    public bool Contains(Version release)
    {
        var full = new Version(release.Major, release.Minor, Math.Max(release.Build, 0));
        return (From is null || full >= From) && (Before is null || full < Before);
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join(' ', new[] { From is null ? null : $">={Short(From)}", Before is null ? null : $"<{Short(Before)}" }.Where(s => s is not null));

    private static string Short(Version v) => v.Build == 0 ? $"{v.Major}.{v.Minor}" : v.ToString();

    private static Version Release(string text)
    {
        Version? v = ReleaseVersion(text);
        if (v is null || text.Any(c => !char.IsDigit(c) && c != '.'))
            throw new FormatException($"'{text}' is not a kernel release A.B or A.B.C");
        return new Version(v.Major, v.Minor, Math.Max(v.Build, 0));
    }
}
