using IommuFd.HardwareRunner.Probe;

namespace IommuFd.HardwareRunner.Vfio;

/// <summary>Binds allowlisted PCI devices to vfio-pci (driver_override, unbind from the current
/// driver, drivers_probe) and puts them back afterwards. Nothing outside the allowlist is ever
/// written: every write names the allowed device's own sysfs folder, or the bus's drivers_probe
/// with the allowed address.</summary>
public sealed class VfioBinder(HostPaths paths, Action<string> log)
{
    private const string VfioPci = "vfio-pci";

    /// <summary>Works out what binding each allowed device takes, checking the ID in sysfs.</summary>
    public IReadOnlyList<DeviceBinding> Plan(IEnumerable<DeviceAllowance> allowlist)
    {
        var plan = new List<DeviceBinding>();
        foreach (DeviceAllowance device in allowlist)
        {
            string dir = DeviceDirectory(device.Address);
            if (device.Problem() is { } problem) { plan.Add(new DeviceBinding(device, null, [], problem)); continue; }
            if (!Directory.Exists(dir)) { plan.Add(new DeviceBinding(device, null, [], $"no PCI device at {dir}")); continue; }

            string? vendor = Read(Path.Combine(dir, "vendor")), id = Read(Path.Combine(dir, "device"));
            string actual = $"{Hex(vendor)}:{Hex(id)}";
            if (actual != device.VendorDevice)
            {
                plan.Add(new DeviceBinding(device, null, [], $"{device.Address} is {actual}, not the allowed {device.VendorDevice}: not touched"));
                continue;
            }

            string? driver = Driver(dir);
            if (driver == VfioPci) { plan.Add(new DeviceBinding(device, driver, [], null)); continue; }
            var writes = new List<SysfsWrite> { new(Path.Combine(dir, "driver_override"), VfioPci, "only vfio-pci may claim it") };
            if (driver is not null)
                writes.Add(new SysfsWrite(Path.Combine(dir, "driver/unbind"), device.Address, $"release it from {driver}"));
            writes.Add(new SysfsWrite(Path.Combine(paths.Sys, "bus/pci/drivers_probe"), device.Address, "let vfio-pci claim it"));
            plan.Add(new DeviceBinding(device, driver, writes, null));
        }
        return plan;
    }

    /// <summary>Carries out <paramref name="plan"/>. With <paramref name="dryRun"/> it only logs the
    /// writes; without <paramref name="allowHostChanges"/> it refuses to write at all.</summary>
    /// <returns>The devices actually rebound (to restore later).</returns>
    public IReadOnlyList<DeviceBinding> Apply(IReadOnlyList<DeviceBinding> plan, bool allowHostChanges, bool dryRun)
    {
        var changed = new List<DeviceBinding>();
        foreach (DeviceBinding binding in plan)
        {
            if (binding.Refusal is not null) { log($"vfio: {binding.Device}: {binding.Refusal}"); continue; }
            if (binding.Writes.Count == 0) { log($"vfio: {binding.Device}: already bound to vfio-pci"); continue; }
            if (dryRun || !allowHostChanges)
            {
                log($"vfio: {binding.Device}: would bind to vfio-pci{(dryRun ? " (dry run)" : " (needs --allow-host-changes)")}:");
                foreach (SysfsWrite write in binding.Writes) log($"vfio:   {write}");
                continue;
            }
            foreach (SysfsWrite write in binding.Writes)
                Write(write);
            changed.Add(binding);
        }
        return changed;
    }

    /// <summary>Undoes <see cref="Apply"/> for the given devices: unbind from vfio-pci, clear the
    /// override, and let the original driver probe it again.</summary>
    public void Restore(IReadOnlyList<DeviceBinding> changed)
    {
        foreach (DeviceBinding binding in changed)
        {
            string dir = DeviceDirectory(binding.Device.Address);
            if (Driver(dir) == VfioPci)
                Write(new SysfsWrite(Path.Combine(dir, "driver/unbind"), binding.Device.Address, "release it from vfio-pci"));
            Write(new SysfsWrite(Path.Combine(dir, "driver_override"), "\n", "clear the override"));
            if (binding.CurrentDriver is not null)
                Write(new SysfsWrite(Path.Combine(paths.Sys, "bus/pci/drivers_probe"), binding.Device.Address, $"give it back to {binding.CurrentDriver}"));
        }
    }

    private void Write(SysfsWrite write)
    {
        log($"vfio: {write}");
        // sysfs attributes take one write of the whole value; no temp-and-rename here.
        File.WriteAllText(write.Path, write.Value);
    }

    private string DeviceDirectory(string address) => Path.Combine(paths.Sys, "bus/pci/devices", address);

    private static string? Driver(string deviceDir)
    {
        try { return new DirectoryInfo(Path.Combine(deviceDir, "driver")).LinkTarget is { } target ? Path.GetFileName(target) : null; }
        catch (IOException) { return null; }
    }

    private static string? Read(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    private static string Hex(string? value) => (value ?? "????").ToLowerInvariant().Replace("0x", "");
}
