using IommuFd.Engine;

namespace IommuFd.Conformance.Traces;

/// <summary>The kernels a trace applies to (its header's <c>"kernels"</c>, docs/traces.md): a lower bound
/// <c>&gt;=X</c>, an upper bound <c>&lt;Y</c>, or both separated by a space, X and Y releases as
/// major.minor[.sublevel]. A trace without a header applies to every kernel.</summary>
public sealed record KernelRange(KernelRelease? From, KernelRelease? Before)
{
    /// <summary>Whether <paramref name="release"/> lies in the range.</summary>
    public bool Applies(KernelRelease release) =>
        (From is not { } from || release.CompareTo(from) >= 0) && (Before is not { } before || release.CompareTo(before) < 0);

    /// <summary>Reads ">=6.12", "&lt;7.3" or ">=6.12 &lt;7.3".</summary>
    /// <exception cref="TraceFormatException">Anything else, saying what is expected.</exception>
    public static KernelRange Parse(string text)
    {
        KernelRelease? from = null, before = null;
        string[] bounds = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (string bound in bounds)
        {
            if (bound.StartsWith(">=", StringComparison.Ordinal) && from == null)
                from = Release(bound[2..], text);
            else if (bound.StartsWith('<') && !bound.StartsWith("<=", StringComparison.Ordinal) && before == null)
                before = Release(bound[1..], text);
            else
                throw Bad(text);
        }
        if (bounds.Length == 0)
            throw Bad(text);
        return new KernelRange(from, before);
    }

    /// <summary>The header form: ">=X &lt;Y" with the bounds given.</summary>
    public override string ToString() =>
        string.Join(' ', new[] { From is { } f ? $">={Series(f)}" : null, Before is { } b ? $"<{Series(b)}" : null }.OfType<string>());

    private static string Series(KernelRelease r) => r.Sublevel == 0 ? $"{r.Major}.{r.Minor}" : r.ToString();

    private static KernelRelease Release(string value, string text) => KernelRelease.TryParse(value) is { } r && value.Length > 0 && char.IsAsciiDigit(value[^1])
        ? r : throw Bad(text);

    private static TraceFormatException Bad(string text) =>
        new($"'kernels' must be \">=X\", \"<Y\" or \">=X <Y\" with releases major.minor[.sublevel], not \"{text}\"");
}
