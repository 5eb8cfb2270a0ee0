using System.Text.RegularExpressions;

namespace IommuFd.HardwareRunner.Vfio;

/// <summary>One device the operator allows the runner to bind to vfio-pci. Both the PCI address
/// and the vendor:device ID must match what sysfs reports, so a renumbered bus or a swapped card
/// is never touched.</summary>
public sealed partial class DeviceAllowance
{
    /// <summary>PCI address with domain, lower case: <c>0000:00:04.0</c>.</summary>
    public string Address { get; set; } = "";

    /// <summary>Vendor and device ID in hex, lower case: <c>1234:11e8</c>.</summary>
    public string VendorDevice { get; set; } = "";

    /// <summary>Null when well formed, else what is wrong.</summary>
    public string? Problem() =>
        !AddressPattern().IsMatch(Address) ? $"PCI address '{Address}' must look like 0000:00:04.0 (domain:bus:device.function, lower-case hex)"
        : !IdPattern().IsMatch(VendorDevice) ? $"vendor:device '{VendorDevice}' of {Address} must look like 1234:11e8 (lower-case hex)"
        : null;

    /// <inheritdoc />
    public override string ToString() => $"{Address} [{VendorDevice}]";

    [GeneratedRegex("^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]$")]
    private static partial Regex AddressPattern();

    [GeneratedRegex("^[0-9a-f]{4}:[0-9a-f]{4}$")]
    private static partial Regex IdPattern();
}
