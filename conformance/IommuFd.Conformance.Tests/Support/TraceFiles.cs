using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>The repository's traces (conformance/traces), copied next to the test assembly.</summary>
internal static class TraceFiles
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "traces");

    public static Trace Load(string name) => Trace.Load(Path.Combine(Directory, name + ".jsonl"));

    /// <summary>Every trace file, regressions included, by path relative to the traces folder.</summary>
    public static IEnumerable<string> All() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.EnumerateFiles(Directory, "*.jsonl", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(Directory, p)).Order(StringComparer.Ordinal)
            : [];

    /// <summary>Where regressions are saved: IOMMUFD_REGRESSIONS_DIR, else the repository's
    /// conformance/traces/regressions (found above the test assembly), else null.</summary>
    public static string? RegressionDirectory()
    {
        if (Environment.GetEnvironmentVariable("IOMMUFD_REGRESSIONS_DIR") is { Length: > 0 } configured)
            return configured;
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IommuFdConformance.sln")))
                return Path.Combine(dir.FullName, "conformance", "traces", "regressions");
        return null;
    }
}
