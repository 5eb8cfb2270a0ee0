using System.Diagnostics;
using IommuFd.UapiGenerator.Testing;

namespace IommuFd.UapiGenerator.ProofTests.WholeTree;

/// <summary>The headers `make headers_install` installs for one kernel series and architecture,
/// from scripts/uapi-tree.sh (cached per package version).</summary>
public sealed record InstalledTree(string Series, string KernelArch, string Profile)
{
    /// <summary>The tree's root (its headers are under include/).</summary>
    public string Install()
    {
        var psi = new ProcessStartInfo(Path.Combine(UapiHeaders.RepoRoot, "scripts", "uapi-tree.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(Series);
        psi.ArgumentList.Add(KernelArch);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start scripts/uapi-tree.sh");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            Assert.Fail($"scripts/uapi-tree.sh {Series} {KernelArch} failed ({process.ExitCode}): {stderr.Result}");
        return stdout.Trim().Split('\n')[^1];
    }

    /// <summary>Every installed header, relative to include/ (linux/vfio.h), sorted.</summary>
    public static IReadOnlyList<string> Headers(string root) =>
        [.. Directory.EnumerateFiles(Path.Combine(root, "include"), "*.h", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Path.Combine(root, "include"), p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    /// <summary>The namespace of a header's types: one per installed folder (asm/ and asm-generic/
    /// declare the same tags for different architectures; C never includes both).</summary>
    public static string Namespace(string relative) =>
        "Uapi.Tree." + string.Concat(Path.GetDirectoryName(relative)!.Select(c => char.IsLetterOrDigit(c) ? c : '_'));

    /// <summary>The static class a header's constants go to: its path as one C# identifier.</summary>
    public static string ClassName(string relative) =>
        "H_" + string.Concat(relative[..^2].Select(c => char.IsLetterOrDigit(c) ? c : '_'));

    /// <inheritdoc/>
    public override string ToString() => $"{Series}-{KernelArch}";
}
