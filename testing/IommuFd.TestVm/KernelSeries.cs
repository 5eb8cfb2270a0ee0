using System.Collections.Concurrent;

namespace IommuFd.TestVm;

/// <summary>One kernel of scripts/kernels.conf, as <c>scripts/kernel-source.sh --list</c> prints it.</summary>
/// <param name="Role">lts or stable.</param>
/// <param name="Series">major.minor, e.g. 6.12.</param>
/// <param name="Package">The Debian package of its source, e.g. linux-source-6.12.</param>
public sealed record KernelSeries(string Role, string Series, string Package)
{
    /// <summary>The script that knows the configured kernels and fetches their sources, relative to the repository root.</summary>
    public const string SourceScript = "scripts/kernel-source.sh";

    private static readonly ConcurrentDictionary<string, string> Versions = new();

    /// <summary>The configured kernels of the repository at <paramref name="root"/>; empty when the script cannot run.</summary>
    public static IReadOnlyList<KernelSeries> Configured(string root)
    {
        var kernels = new List<KernelSeries>();
        foreach (string line in RunScript(root, "--list")?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [])
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 3)
                kernels.Add(new KernelSeries(fields[0], fields[1], fields[2]));
        }
        return kernels;
    }

    /// <summary>The configured kernel whose role or series is <paramref name="name"/>, or null.</summary>
    public static KernelSeries? Find(string root, string name) =>
        Configured(root).FirstOrDefault(k => k.Role == name || k.Series == name);

    /// <summary>The Debian package version of its source from the project's package lists as they are
    /// (no network), or null when they were never fetched.</summary>
    public string? SourceVersion(string root)
    {
        if (Versions.TryGetValue($"{root}\n{Series}", out string? known))
            return known;
        string? version = RunScript(root, Series, "--cached-version")?.Trim();
        if (string.IsNullOrEmpty(version))
            return null;
        return Versions[$"{root}\n{Series}"] = version;
    }

    private static string? RunScript(string root, params string[] arguments) => RepositoryScript.Output(root, SourceScript, arguments);
}
