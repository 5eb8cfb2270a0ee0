using IommuFd.Interop;

namespace IommuFd.HardwareRunner.Probe;

/// <summary>Where the runner looks at the host. Configurable so tests can point it at a fake tree.</summary>
/// <param name="Dev">Usually <c>/dev</c>.</param>
/// <param name="Sys">Usually <c>/sys</c>.</param>
/// <param name="Proc">Usually <c>/proc</c>.</param>
/// <param name="Boot">Usually <c>/boot</c>.</param>
/// <param name="CacheDirectory">The project's cache: <c>${IOMMUFD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-conformance}</c>.</param>
public sealed record HostPaths(string Dev, string Sys, string Proc, string Boot, string CacheDirectory)
{
    /// <summary>The real host, with the cache folder the kernel build script uses.</summary>
    public static HostPaths Real(string? cacheOverride = null) => new("/dev", "/sys", "/proc", "/boot", cacheOverride is { Length: > 0 } ? cacheOverride : DefaultCacheDirectory());

    /// <summary>The cache folder rule shared with <c>hardware-runner/kernel/build-kernel.sh</c>.</summary>
    public static string DefaultCacheDirectory()
    {
        string? explicitDir = Environment.GetEnvironmentVariable(EnvironmentVariables.CacheDir);
        if (!string.IsNullOrEmpty(explicitDir)) return explicitDir;
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".cache");
        return Path.Combine(root, "iommufd-conformance");
    }
}
