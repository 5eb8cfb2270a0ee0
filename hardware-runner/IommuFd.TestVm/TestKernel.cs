using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace IommuFd.TestVm;

/// <summary>Where a lookup for the test kernel ended: the bzImage, or why there is none.</summary>
/// <param name="ImagePath">The bzImage, or null.</param>
/// <param name="Explanation">Where it was found, or what is missing and how to get it.</param>
public sealed record TestKernelLookup(string? ImagePath, string Explanation)
{
    /// <summary>True when <see cref="ImagePath"/> names an existing kernel image.</summary>
    public bool Found => ImagePath is not null;
}

/// <summary>
/// Finds the kernel hardware-runner/kernel/build-kernel.sh built, by computing the same cache key:
/// SHA-256 of "linux-source-6.12=&lt;version&gt;\nfragment=&lt;sha256&gt;\nscript=&lt;sha256&gt;\n".
/// IOMMUFD_TEST_KERNEL, when set, names a bzImage directly.
/// </summary>
public static class TestKernel
{
    /// <summary>The build script, relative to the repository root.</summary>
    public const string BuildScript = "hardware-runner/kernel/build-kernel.sh";

    /// <summary>The config fragment, relative to the repository root.</summary>
    public const string Fragment = "hardware-runner/kernel/iommufd-test.config";

    /// <summary>The Debian package the kernel is built from.</summary>
    public const string SourcePackage = "linux-source-6.12";

    /// <summary>Env var naming a bzImage to use instead of the cache.</summary>
    public const string OverrideVariable = "IOMMUFD_TEST_KERNEL";

    /// <summary>Finds the test kernel for the repository that contains this assembly (or the current directory).</summary>
    public static TestKernelLookup Locate()
    {
        string? explicitImage = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrEmpty(explicitImage))
        {
            return File.Exists(explicitImage)
                ? new TestKernelLookup(explicitImage, $"{OverrideVariable}={explicitImage}")
                : new TestKernelLookup(null, $"{OverrideVariable} names {explicitImage}, which does not exist");
        }
        string? root = FindRepositoryRoot();
        if (root is null)
            return new TestKernelLookup(null, $"cannot find {BuildScript} above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}; set {OverrideVariable}");
        string? version = SourceVersion();
        if (version is null)
            return new TestKernelLookup(null, $"{SourcePackage} is not installed (apt-get install {SourcePackage}), so no test kernel can be built; run {BuildScript}");
        string key = CacheKey(version, File.ReadAllBytes(Path.Combine(root, Fragment)), File.ReadAllBytes(Path.Combine(root, BuildScript)));
        string image = Path.Combine(CacheRoot(), "kernel", key, "bzImage");
        return File.Exists(image)
            ? new TestKernelLookup(image, $"cached test kernel {image}")
            : new TestKernelLookup(null, $"no test kernel built for this source and config (expected {image}); build it with {Path.Combine(root, BuildScript)} (about 6 minutes on 2 cores)");
    }

    /// <summary>The cache key of a build from <paramref name="sourceVersion"/> with the given fragment and script contents.</summary>
    public static string CacheKey(string sourceVersion, ReadOnlySpan<byte> fragment, ReadOnlySpan<byte> script)
    {
        string text = $"{SourcePackage}={sourceVersion}\nfragment={Hex(SHA256.HashData(fragment))}\nscript={Hex(SHA256.HashData(script))}\n";
        return Hex(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>${IOMMUFD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-conformance}, as the scripts compute it.</summary>
    public static string CacheRoot()
    {
        string? explicitRoot = Environment.GetEnvironmentVariable("IOMMUFD_CACHE_DIR");
        if (!string.IsNullOrEmpty(explicitRoot))
            return explicitRoot;
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string cache = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".cache");
        return Path.Combine(cache, "iommufd-conformance");
    }

    /// <summary>The repository root: the nearest directory above the assembly (or the current directory) holding the build script.</summary>
    public static string? FindRepositoryRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, BuildScript)))
                    return dir.FullName;
            }
        }
        return null;
    }

    /// <summary>The installed version of linux-source-6.12 as dpkg reports it, or null.</summary>
    public static string? SourceVersion()
    {
        try
        {
            var info = new ProcessStartInfo("dpkg-query") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in new[] { "-W", "-f=${Version}", SourcePackage })
                info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 && output.Length > 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no dpkg on this host
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
