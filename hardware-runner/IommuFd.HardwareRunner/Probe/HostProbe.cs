using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace IommuFd.HardwareRunner.Probe;

/// <summary>Looks at the host (read-only) and says what the conformance suite can use.</summary>
public sealed partial class HostProbe(HostPaths paths, string qemuBinary = "qemu-system-x86_64", Func<KernelLookup>? locateTestKernel = null)
{
    /// <summary>Gathers every fact; never throws for missing or unreadable files.</summary>
    public HostFacts Probe()
    {
        string release = HostKernel.Release(paths);
        KernelConfig? config = KernelConfig.Load(paths, release);
        KernelLookup kernel = (locateTestKernel ?? (() => CachedKernel(paths)))();
        return new HostFacts(
            release,
            Architecture(),
            config?.Source,
            config?.Sha256 ?? "unknown",
            DeviceFeature(Path.Combine(paths.Dev, "iommu"), config, "IOMMUFD"),
            ConfigFeature(config, "IOMMUFD_TEST"),
            DeviceFeature(Path.Combine(paths.Dev, "vfio/devices"), config, "VFIO_DEVICE_CDEV"),
            IommuModels(),
            IommuGroups(),
            VfioPciDevices(),
            Qemu(),
            kernel.Kernel is null
                ? new Feature(false, kernel.Detail)
                : new Feature(true, $"{kernel.Kernel.Image} (Linux {kernel.Kernel.Release})"));
    }

    /// <summary>Any test kernel in the cache folder (for hosts without the repository's build inputs).</summary>
    public static KernelLookup CachedKernel(HostPaths paths) =>
        TestKernelInfo.FindInCache(paths.CacheDirectory) is { } k
            ? new KernelLookup(k, k.Image)
            : new KernelLookup(null, $"none cached under {Path.Combine(paths.CacheDirectory, "kernel")}");

    /// <summary>The kernel's name for this machine's architecture.</summary>
    public static string Architecture() => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "x86_64",
        System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        var other => other.ToString().ToLowerInvariant(),
    };

    private static Feature DeviceFeature(string node, KernelConfig? config, string symbol)
    {
        bool exists = File.Exists(node) || Directory.Exists(node);
        string configText = config is null ? "config unknown" : $"CONFIG_{symbol}={config.Value(symbol) ?? "n"}";
        return new Feature(exists, exists ? $"{node} ({configText})" : $"no {node} ({configText})");
    }

    private static Feature ConfigFeature(KernelConfig? config, string symbol) => config is null
        ? new Feature(false, "unknown: no /proc/config.gz or /boot/config-<release>")
        : new Feature(config.IsEnabled(symbol), $"CONFIG_{symbol}={config.Value(symbol) ?? "n"} ({config.Source})");

    private List<string> IommuModels()
    {
        string dir = Path.Combine(paths.Sys, "class/iommu");
        if (!Directory.Exists(dir)) return [];
        return [.. Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
            .Select(name => $"{name} ({KindOf(name, dir)})")];
    }

    private static string KindOf(string unit, string classDir)
    {
        if (unit.StartsWith("dmar", StringComparison.Ordinal)) return "Intel VT-d";
        if (unit.StartsWith("ivhd", StringComparison.Ordinal)) return "AMD-Vi";
        string? driver = LinkName(Path.Combine(classDir, unit, "device/driver"));
        return driver is null ? "unknown" : driver;
    }

    private List<IommuGroup> IommuGroups()
    {
        string dir = Path.Combine(paths.Sys, "kernel/iommu_groups");
        if (!Directory.Exists(dir)) return [];
        return [.. Directory.EnumerateDirectories(dir)
            .OrderBy(d => int.TryParse(Path.GetFileName(d), out int n) ? n : int.MaxValue)
            .Select(d => new IommuGroup(Path.GetFileName(d), Directory.Exists(Path.Combine(d, "devices"))
                ? [.. Directory.EnumerateFileSystemEntries(Path.Combine(d, "devices")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)]
                : []))];
    }

    private List<string> VfioPciDevices()
    {
        string dir = Path.Combine(paths.Sys, "bus/pci/drivers/vfio-pci");
        if (!Directory.Exists(dir)) return [];
        return [.. Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).OfType<string>()
            .Where(n => PciAddress().IsMatch(n)).Order(StringComparer.Ordinal)];
    }

    private Feature Qemu()
    {
        string? path = FindOnPath(qemuBinary);
        if (path is null) return new Feature(false, $"{qemuBinary} not on PATH");
        try
        {
            var start = new ProcessStartInfo(path, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using Process process = Process.Start(start)!;
            string first = process.StandardOutput.ReadLine() ?? "";
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return new Feature(false, $"{path} --version did not answer within 10 s");
            }
            return new Feature(process.ExitCode == 0, $"{path}: {first.Trim()}");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return new Feature(false, $"{path}: {e.Message}");
        }
    }

    /// <summary>Full path of an executable on PATH, or null.</summary>
    public static string? FindOnPath(string name)
    {
        if (name.Contains('/')) return File.Exists(name) ? name : null;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
    }

    private static string? LinkName(string path)
    {
        try { return new FileInfo(path).LinkTarget is { } target ? Path.GetFileName(target) : null; }
        catch (IOException) { return null; }
    }

    [GeneratedRegex(@"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")]
    private static partial Regex PciAddress();
}
