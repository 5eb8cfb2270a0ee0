namespace IommuFd.HardwareRunner.Tests.Support;

/// <summary>A sysfs-shaped tree in a temp folder: PCI devices with vendor/device/driver_override,
/// driver folders with unbind files, driver symlinks, and the bus's drivers_probe.</summary>
public sealed class FakeSysfs : IDisposable
{
    private readonly TempDirectory _root = new();

    public string Root => _root.Path;

    public FakeSysfs()
    {
        Directory.CreateDirectory(_root.Combine("bus/pci/devices"));
        Directory.CreateDirectory(_root.Combine("bus/pci/drivers/vfio-pci"));
        File.WriteAllText(_root.Combine("bus/pci/drivers_probe"), "");
        File.WriteAllText(_root.Combine("bus/pci/drivers/vfio-pci/unbind"), "");
    }

    public void AddDevice(string address, string vendor, string device, string? driver)
    {
        string dir = _root.Combine("bus/pci/devices", address);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "vendor"), $"0x{vendor}\n");
        File.WriteAllText(Path.Combine(dir, "device"), $"0x{device}\n");
        File.WriteAllText(Path.Combine(dir, "driver_override"), "(null)\n");
        if (driver is null) return;
        string driverDir = _root.Combine("bus/pci/drivers", driver);
        Directory.CreateDirectory(driverDir);
        if (!File.Exists(Path.Combine(driverDir, "unbind"))) File.WriteAllText(Path.Combine(driverDir, "unbind"), "");
        Directory.CreateSymbolicLink(Path.Combine(dir, "driver"), Path.GetRelativePath(dir, driverDir));
    }

    /// <summary>Every regular file and its content (symlinked folders are not followed twice).</summary>
    public Dictionary<string, string> Snapshot()
    {
        var files = new Dictionary<string, string>();
        foreach (string file in Directory.EnumerateFiles(Root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            files[Path.GetRelativePath(Root, file)] = File.ReadAllText(file);
        return files;
    }

    public void Dispose() => _root.Dispose();
}
