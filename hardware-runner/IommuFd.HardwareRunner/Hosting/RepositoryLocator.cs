namespace IommuFd.HardwareRunner.Hosting;

/// <summary>Finds the repository the runner belongs to (for conformance/traces and the kernel build script).</summary>
public static class RepositoryLocator
{
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
