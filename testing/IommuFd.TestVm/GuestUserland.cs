namespace IommuFd.TestVm;

/// <summary>Finds the arm64 guest's root file system that scripts/arm64-userland.sh built (Debian's
/// arm64 glibc, libstdc++, zlib and busybox, with <see cref="GuestPaths.Bootstrap"/> as PID 1).</summary>
public static class GuestUserland
{
    /// <summary>The script that builds and caches it, relative to the repository root.</summary>
    public const string BuildScript = "scripts/arm64-userland.sh";

    /// <summary>The root folder for the repository that contains this assembly, from the cache or, with
    /// <paramref name="buildIfMissing"/>, built now (about 30 s: five Debian packages); else null with what is missing.</summary>
    public static (string? Root, string Explanation) LocateArm64(bool buildIfMissing = false)
    {
        if (TestKernel.FindRepositoryRoot() is not { } root)
            return (null, $"cannot find {BuildScript} above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}");
        string? found = (buildIfMissing ? RepositoryScript.Output(root, BuildScript) : RepositoryScript.Output(root, BuildScript, "--locate"))
            ?.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim();
        return string.IsNullOrEmpty(found) || !Directory.Exists(found)
            ? (null, $"no arm64 guest userland built for this script and Debian's current packages; build it with {Path.Combine(root, BuildScript)} (about 30 s)")
            : (found, $"arm64 guest userland {found}");
    }
}
