using System.Text;
using System.Text.Json;
using IommuFd.HardwareRunner.Results;

namespace IommuFd.HardwareRunner.Probe;

/// <summary>Prints <see cref="HostFacts"/> as an aligned table or as JSON.</summary>
public static class HostFactsFormatter
{
    /// <summary>A two-column table, one fact a row.</summary>
    public static string Table(HostFacts facts)
    {
        var rows = new List<(string, string)>
        {
            ("kernel", $"{facts.KernelRelease} ({facts.Architecture})"),
            ("kernel config", facts.KernelConfigSource is null ? "not found" : $"{facts.KernelConfigSource} sha256 {facts.KernelConfigHash}"),
            ("iommufd (/dev/iommu)", Mark(facts.Iommufd)),
            ("IOMMUFD_TEST", Mark(facts.IommufdTest)),
            ("VFIO cdev", Mark(facts.VfioCdev)),
            ("IOMMU units", facts.IommuModels.Count == 0 ? "none" : string.Join(", ", facts.IommuModels)),
            ("IOMMU groups", facts.IommuGroups.Count == 0 ? "none" : string.Join("; ", facts.IommuGroups.Select(g => $"{g.Id}: {string.Join(" ", g.Devices)}"))),
            ("vfio-pci devices", facts.VfioPciDevices.Count == 0 ? "none" : string.Join(", ", facts.VfioPciDevices)),
            ("qemu", Mark(facts.Qemu)),
            ("test kernel", Mark(facts.TestKernel)),
        };
        int width = rows.Max(r => r.Item1.Length);
        var text = new StringBuilder();
        foreach ((string name, string value) in rows)
            text.Append(name.PadRight(width)).Append("  ").AppendLine(value);
        return text.ToString();
    }

    /// <summary>The facts as indented JSON.</summary>
    public static string Json(HostFacts facts) => JsonSerializer.Serialize(facts, RunJson.Indented) + "\n";

    private static string Mark(Feature feature) => (feature.Present ? "yes: " : "no: ") + feature.Detail;
}
