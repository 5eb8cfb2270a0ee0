using IommuFd.Conformance.Requirements;
using IommuFd.Interop;

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

    /// <summary>Folder of the traces that use mock devices/domains (its requires.json says so).</summary>
    public const string MockDomainFolder = "mockdomain";

    /// <summary>What a trace (relative path) needs: its folders' requires.json files.</summary>
    public static TraceRequirements Requirements(string relativePath) =>
        TraceRequirements.ForFile(Path.Combine(Directory, relativePath), Directory);

    /// <summary>True for a trace (relative path) that needs mock devices and domains.</summary>
    public static bool NeedsMockDomains(string relativePath) => Requirements(relativePath).Has(NeedKind.MockDomain);

    /// <summary>Where the device-aware random run saves regressions: the mock-domain folder's regressions
    /// (so the virtio-only differential test replays them), or IOMMUFD_REGRESSIONS_DIR. Inside the test VM
    /// the repository is read-only: the guest's writable share (IOMMUFD_GUEST_OUT) takes them.</summary>
    public static string? MockDomainRegressionDirectory()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariables.RegressionsDir) is { Length: > 0 } configured)
            return configured;
        if (Environment.GetEnvironmentVariable(EnvironmentVariables.GuestOut) is { Length: > 0 } guestOut)
            return Path.Combine(guestOut, "regressions", MockDomainFolder);
        return RegressionDirectory() is { } regressions
            ? Path.Combine(Path.GetDirectoryName(regressions)!, MockDomainFolder, "regressions")
            : null;
    }

    /// <summary>Where regressions are saved: IOMMUFD_REGRESSIONS_DIR, else inside the test VM (whose
    /// repository is read-only) the guest's writable share (IOMMUFD_GUEST_OUT/regressions), else the
    /// repository's conformance/traces/regressions (found above the test assembly), else null.</summary>
    public static string? RegressionDirectory()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariables.RegressionsDir) is { Length: > 0 } configured)
            return configured;
        if (Environment.GetEnvironmentVariable(EnvironmentVariables.GuestOut) is { Length: > 0 } guestOut)
            return Path.Combine(guestOut, "regressions");
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IommuFdConformance.sln")))
                return Path.Combine(dir.FullName, "conformance", "traces", "regressions");
        return null;
    }

    /// <summary>A new folder for a random run's divergence reports and minimal traces. Not the repository: a
    /// temporary folder, or inside the test VM (whose /tmp dies with it and whose repository is read-only)
    /// the run's writable out folder (IOMMUFD_GUEST_OUT), kept on the host.</summary>
    public static string ScratchDirectory(int seed)
    {
        string root = Environment.GetEnvironmentVariable(EnvironmentVariables.GuestOut) is { Length: > 0 } guestOut ? guestOut : Path.GetTempPath();
        string folder = Path.Combine(root, $"iommufd-divergences-{seed}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(folder);
        return folder;
    }
}
