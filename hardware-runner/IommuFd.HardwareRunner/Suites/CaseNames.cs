using System.Text.RegularExpressions;

namespace IommuFd.HardwareRunner.Suites;

/// <summary>kselftest-style <c>suite.fixture.case</c> names of the runner's cases. Segments keep to
/// <c>[a-zA-Z0-9_-]</c> so the same name works in KTAP, KCIDB paths and LAVA.</summary>
public static partial class CaseNames
{
    /// <summary>The suite segment of every conformance case.</summary>
    public const string Suite = "iommufd";

    /// <summary>A trace replayed on one backend.</summary>
    public static string Trace(TraceFile trace) => $"{Suite}.trace.{trace.CaseName}";

    /// <summary>A trace diffed between two backends.</summary>
    public static string TraceDiff(TraceFile trace) => $"{Suite}.diff.{trace.CaseName}";

    /// <summary>A seeded random sequence.</summary>
    public static string Random(int seed) => $"{Suite}.random.seed_{seed}";

    /// <summary>A file name reduced to a valid segment.</summary>
    public static string Segment(string text)
    {
        string cleaned = Invalid().Replace(text, "_");
        return cleaned.Length == 0 ? "_" : cleaned;
    }

    [GeneratedRegex("[^a-zA-Z0-9_-]")]
    private static partial Regex Invalid();
}
