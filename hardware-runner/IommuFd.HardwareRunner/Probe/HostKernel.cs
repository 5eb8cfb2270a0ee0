using System.Text.RegularExpressions;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Probe;

/// <summary>The running kernel as results name it: its release (<c>uname -r</c>), its config's
/// SHA-256, its banner (<c>/proc/version</c>) and, when the banner says so, the Debian package
/// version it was built as.</summary>
public static partial class HostKernel
{
    /// <summary>Debian's source package of its kernel images.</summary>
    public const string DebianSourcePackage = "linux";

    /// <summary>The running kernel's identity (read-only; missing files give <c>unknown</c>).</summary>
    public static KernelIdentity Read(HostPaths paths)
    {
        string release = Release(paths);
        string? banner = ReadFirstLine(Path.Combine(paths.Proc, "version"));
        string? debian = banner is null ? null : DebianVersion(banner);
        return new KernelIdentity(release, KernelConfig.Load(paths, release)?.Sha256 ?? "unknown", "host kernel")
        {
            Banner = banner,
            SourcePackage = debian is null ? null : DebianSourcePackage,
            SourceVersion = debian,
        };
    }

    /// <summary><c>uname -r</c>, from <c>/proc/sys/kernel/osrelease</c>.</summary>
    public static string Release(HostPaths paths) =>
        ReadFirstLine(Path.Combine(paths.Proc, "sys/kernel/osrelease")) ?? Environment.OSVersion.Version.ToString();

    /// <summary>The package version a Debian kernel's banner names after its build number
    /// (<c>#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)</c> gives <c>6.1.76-1</c>; the
    /// compiler's own "Debian" before the <c>#</c> is not it), or null for other kernels.</summary>
    public static string? DebianVersion(string banner) =>
        DebianBuild().Match(banner) is { Success: true } m ? m.Groups["version"].Value : null;

    /// <summary>The first line of a file, trimmed; null when absent or unreadable.</summary>
    private static string? ReadFirstLine(string path)
    {
        try { return File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    [GeneratedRegex(@"#\d+\b.*\bDebian (?<version>[0-9][^\s()]*)")]
    private static partial Regex DebianBuild();
}
