using System.Security.Cryptography;
using System.Text;
using IommuFd.Interop;

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
/// Finds the kernel hardware-runner/kernel/build-kernel.sh built for a series, by computing the same
/// cache key: SHA-256 of "series=S\n&lt;package&gt;=&lt;version&gt;\nfragment=&lt;sha256&gt;\nfragment-S=&lt;sha256 or none&gt;\nscript=&lt;sha256&gt;\n".
/// IOMMUFD_TEST_KERNEL, when set, names a bzImage directly.
/// </summary>
public static class TestKernel
{
    /// <summary>The build script, relative to the repository root.</summary>
    public const string BuildScript = "hardware-runner/kernel/build-kernel.sh";

    /// <summary>The config fragment of every series, relative to the repository root.</summary>
    public const string Fragment = "hardware-runner/kernel/iommufd-test.config";

    /// <summary>The series the kernel tier runs on when <see cref="EnvironmentVariables.KernelSeries"/> is unset.</summary>
    public const string DefaultSeries = "lts";

    /// <summary>The series the kernel tier runs on: <see cref="EnvironmentVariables.KernelSeries"/>, else <see cref="DefaultSeries"/>.
    /// The one place that variable is read.</summary>
    public static string RequestedSeries() =>
        Environment.GetEnvironmentVariable(EnvironmentVariables.KernelSeries) is { Length: > 0 } series ? series : DefaultSeries;

    /// <summary>The series' own config fragment (where its Kconfig differs), relative to the repository root; it may not exist.</summary>
    public static string SeriesFragment(string series) => $"hardware-runner/kernel/iommufd-test-{series}.config";

    /// <summary>The command that builds the kernel of <paramref name="series"/>.</summary>
    public static string BuildCommand(string series) => $"{BuildScript} {series}";

    /// <summary>Finds the test kernel of <see cref="RequestedSeries"/>.</summary>
    public static TestKernelLookup Locate() => Locate(RequestedSeries());

    /// <summary>Finds the test kernel of <paramref name="series"/> (a series or role of scripts/kernels.conf)
    /// for the repository that contains this assembly (or the current directory).</summary>
    public static TestKernelLookup Locate(string series)
    {
        string? explicitImage = Environment.GetEnvironmentVariable(EnvironmentVariables.TestKernel);
        if (!string.IsNullOrEmpty(explicitImage))
        {
            return File.Exists(explicitImage)
                ? new TestKernelLookup(explicitImage, $"{EnvironmentVariables.TestKernel}={explicitImage}")
                : new TestKernelLookup(null, $"{EnvironmentVariables.TestKernel} names {explicitImage}, which does not exist");
        }
        string? root = FindRepositoryRoot();
        if (root is null)
            return new TestKernelLookup(null, $"cannot find {BuildScript} above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}; set {EnvironmentVariables.TestKernel}");
        if (KernelSeries.Find(root, series) is not { } kernel)
        {
            string known = string.Join(", ", KernelSeries.Configured(root).Select(k => $"{k.Series} ({k.Role})"));
            return new TestKernelLookup(null, $"no kernel series '{series}' in scripts/kernels.conf (known: {known})");
        }
        string build = Path.Combine(root, BuildCommand(kernel.Series));
        if (kernel.SourceVersion(root) is not { } version)
            return new TestKernelLookup(null, $"the source of {kernel.Package} was never fetched, so no {kernel.Series} test kernel is built; run {build}");
        string image = Path.Combine(CacheRoot(), "kernel", CacheKey(root, kernel, version), "bzImage");
        return File.Exists(image)
            ? new TestKernelLookup(image, $"cached {kernel.Series} test kernel {image}")
            : new TestKernelLookup(null, $"no {kernel.Series} test kernel built for this source and config (expected {image}); build it with {build} (about 6 minutes on 2 cores)");
    }

    /// <summary>The cache key of <paramref name="kernel"/> built from <paramref name="sourceVersion"/> with this repository's fragments and script.</summary>
    public static string CacheKey(string root, KernelSeries kernel, string sourceVersion)
    {
        string seriesFragment = Path.Combine(root, SeriesFragment(kernel.Series));
        return CacheKey(kernel, sourceVersion, File.ReadAllBytes(Path.Combine(root, Fragment)),
            File.Exists(seriesFragment) ? File.ReadAllBytes(seriesFragment) : null, File.ReadAllBytes(Path.Combine(root, BuildScript)));
    }

    /// <summary>The cache key of a build of <paramref name="kernel"/> from <paramref name="sourceVersion"/> with the given
    /// fragment, series fragment (null: the series has none) and script contents.</summary>
    public static string CacheKey(KernelSeries kernel, string sourceVersion, byte[] fragment, byte[]? seriesFragment, byte[] script)
    {
        string text = $"series={kernel.Series}\n{kernel.Package}={sourceVersion}\nfragment={Hex(SHA256.HashData(fragment))}\n"
            + $"fragment-{kernel.Series}={(seriesFragment is null ? "none" : Hex(SHA256.HashData(seriesFragment)))}\nscript={Hex(SHA256.HashData(script))}\n";
        return Hex(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>${IOMMUFD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-conformance}, as the scripts compute it.</summary>
    public static string CacheRoot()
    {
        string? explicitRoot = Environment.GetEnvironmentVariable(EnvironmentVariables.CacheDir);
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

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
