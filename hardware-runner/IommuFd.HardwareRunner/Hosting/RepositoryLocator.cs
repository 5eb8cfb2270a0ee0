namespace IommuFd.HardwareRunner.Hosting;

/// <summary>Finds the repository the runner belongs to (for conformance/traces and the kernel build
/// script), and the traces of a release, which sit next to the runner.</summary>
public static class RepositoryLocator
{
    /// <summary>The traces folder of a release, next to the runner's executable.</summary>
    public const string ReleaseTracesFolder = "traces";

    /// <summary>The traces a run uses by default: those next to the runner (a release), else the
    /// repository's <c>conformance/traces</c>; null when there are neither.</summary>
    public static string? Traces()
    {
        string beside = Path.Combine(AppContext.BaseDirectory, ReleaseTracesFolder);
        if (Directory.Exists(beside)) return beside;
        return Find() is { } repo ? Path.Combine(repo, "conformance", "traces") : null;
    }

    /// <summary>The first folder, walking up from the working directory and then from the runner's
    /// own folder, that holds IommuFdConformance.sln; null when there is none.</summary>
    public static string? Find()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "IommuFdConformance.sln")))
                    return dir.FullName;
        }
        return null;
    }
}
