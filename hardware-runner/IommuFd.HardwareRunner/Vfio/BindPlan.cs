namespace IommuFd.HardwareRunner.Vfio;

/// <summary>One sysfs write.</summary>
/// <param name="Path">The sysfs attribute written.</param>
/// <param name="Value">What is written.</param>
/// <param name="Why">What it does, for dry runs and logs.</param>
public sealed record SysfsWrite(string Path, string Value, string Why)
{
    /// <inheritdoc />
    public override string ToString() => $"echo {Value} > {Path}    # {Why}";
}

/// <summary>What the runner would do with one allowed device.</summary>
/// <param name="Device">The allowance it came from.</param>
/// <param name="CurrentDriver">The driver bound now, or null.</param>
/// <param name="Writes">The writes to bind it to vfio-pci (empty when already bound or refused).</param>
/// <param name="Refusal">Why nothing will be done, or null.</param>
public sealed record DeviceBinding(DeviceAllowance Device, string? CurrentDriver, IReadOnlyList<SysfsWrite> Writes, string? Refusal);
