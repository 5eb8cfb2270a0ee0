using System.Security.Cryptography;
using System.Text;
using IommuFd.Interop;

namespace IommuFd.TestVm;

/// <summary>Where a lookup for the test kernel ended: the kernel image, or why there is none.</summary>
/// <param name="ImagePath">The bzImage (x86_64) or Image (arm64), or null.</param>
/// <param name="Explanation">Where it was found, or what is missing and how to get it.</param>
public sealed record TestKernelLookup(string? ImagePath, string Explanation)
{
    /// <summary>True when <see cref="ImagePath"/> names an existing kernel image.</summary>
    public bool Found => ImagePath is not null;
}

/// <summary>
/// Finds the kernel hardware-runner/kernel/build-kernel.sh built for a series and architecture, by
/// computing the same cache key: SHA-256 of "arch=A\nseries=S\n&lt;package&gt;=&lt;version&gt;\nfragment=&lt;sha256&gt;\nfragment-S=&lt;sha256 or none&gt;\nscript=&lt;sha256&gt;\n".
/// IOMMUFD_TEST_KERNEL, when set, names an x86_64 bzImage directly.
/// </summary>
public static class TestKernel
{
    /// <summary>The build script, relative to the repository root.</summary>
    public const string BuildScript = "hardware-runner/kernel/build-kernel.sh";

    /// <summary>The config fragment of every series of <paramref name="arch"/>, relative to the repository root.</summary>
    public static string Fragment(GuestArchitecture arch) => $"hardware-runner/kernel/{arch.FragmentPrefix}.config";

    /// <summary>The series the kernel tier runs on when <see cref="EnvironmentVariables.KernelSeries"/> is unset.</summary>
    public const string DefaultSeries = "lts";

    /// <summary>The series the kernel tier runs on: <see cref="EnvironmentVariables.KernelSeries"/>, else <see cref="DefaultSeries"/>.
    /// The one place that variable is read.</summary>
    public static string RequestedSeries() =>
        Environment.GetEnvironmentVariable(EnvironmentVariables.KernelSeries) is { Length: > 0 } series ? series : DefaultSeries;

    /// <summary>The series' own config fragment of <paramref name="arch"/> (where its Kconfig differs), relative to the repository root; it may not exist.</summary>
    public static string SeriesFragment(string series, GuestArchitecture arch) => $"hardware-runner/kernel/{arch.FragmentPrefix}-{series}.config";

    /// <summary>The command that builds the kernel of <paramref name="series"/> for <paramref name="arch"/> (default x86_64).</summary>
    public static string BuildCommand(string series, GuestArchitecture? arch = null) =>
        (arch ?? GuestArchitecture.X86_64) == GuestArchitecture.X86_64 ? $"{BuildScript} {series}" : $"{BuildScript} {series} --arch {arch!.Name}";

    /// <summary>Finds the x86_64 test kernel of <see cref="RequestedSeries"/>.</summary>
    public static TestKernelLookup Locate() => Locate(RequestedSeries());

    /// <summary>Finds the test kernel of <paramref name="series"/> (a series or role of scripts/kernels.conf)
    /// for <paramref name="arch"/> (default x86_64) for the repository that contains this assembly (or the current directory).</summary>
    public static TestKernelLookup Locate(string series, GuestArchitecture? arch = null)
    {
        arch ??= GuestArchitecture.X86_64;
        string? explicitImage = Environment.GetEnvironmentVariable(EnvironmentVariables.TestKernel);
        if (!string.IsNullOrEmpty(explicitImage) && arch == GuestArchitecture.X86_64)
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
        string build = Path.Combine(root, BuildCommand(kernel.Series, arch));
        if (kernel.SourceVersion(root) is not { } version)
            return new TestKernelLookup(null, $"the source of {kernel.Package} was never fetched, so no {kernel.Series} test kernel is built; run {build}");
        string image = Path.Combine(CacheRoot(), "kernel", CacheKey(root, kernel, version, arch), arch.ImageName);
        return File.Exists(image)
            ? new TestKernelLookup(image, $"cached {kernel.Series} {arch.Name} test kernel {image}")
            : new TestKernelLookup(null, $"no {kernel.Series} {arch.Name} test kernel built for this source and config (expected {image}); build it with {build} (about 6 minutes on 2 cores)");
    }

    /// <summary>The cache key of <paramref name="kernel"/> for <paramref name="arch"/> built from <paramref name="sourceVersion"/> with this repository's fragments and script.</summary>
    public static string CacheKey(string root, KernelSeries kernel, string sourceVersion, GuestArchitecture arch)
    {
        string seriesFragment = Path.Combine(root, SeriesFragment(kernel.Series, arch));
        return CacheKey(kernel, sourceVersion, arch, File.ReadAllBytes(Path.Combine(root, Fragment(arch))),
            File.Exists(seriesFragment) ? File.ReadAllBytes(seriesFragment) : null, File.ReadAllBytes(Path.Combine(root, BuildScript)));
    }

    /// <summary>The cache key of a build of <paramref name="kernel"/> for <paramref name="arch"/> from <paramref name="sourceVersion"/>
    /// with the given fragment, series fragment (null: the series has none) and script contents.</summary>
    public static string CacheKey(KernelSeries kernel, string sourceVersion, GuestArchitecture arch, byte[] fragment, byte[]? seriesFragment, byte[] script)
    {
        string text = $"arch={arch.Name}\nseries={kernel.Series}\n{kernel.Package}={sourceVersion}\nfragment={Hex(SHA256.HashData(fragment))}\n"
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
