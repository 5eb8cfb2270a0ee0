namespace IommuFd.HardwareRunner.Probe;

/// <summary>What the host offers the conformance suite.</summary>
/// <param name="KernelRelease">Running kernel release (<c>uname -r</c>).</param>
/// <param name="Architecture">e.g. <c>x86_64</c>.</param>
/// <param name="KernelConfigSource">Where the config was read, or null when none was found.</param>
/// <param name="KernelConfigHash">SHA-256 of the config text, or <c>unknown</c>.</param>
/// <param name="Iommufd">iommufd: /dev/iommu and CONFIG_IOMMUFD.</param>
/// <param name="IommufdTest">CONFIG_IOMMUFD_TEST (the mock domain selftest ABI).</param>
/// <param name="VfioCdev">VFIO device cdev: /dev/vfio/devices and CONFIG_VFIO_DEVICE_CDEV.</param>
/// <param name="IommuModels">IOMMU units from /sys/class/iommu with their kind (dmar, ivhd, virtio...).</param>
/// <param name="IommuGroups">Groups under /sys/kernel/iommu_groups and the devices in each.</param>
/// <param name="VfioPciDevices">Devices bound to vfio-pci.</param>
/// <param name="Qemu">QEMU for the test VM.</param>
/// <param name="TestKernel">The cached test kernel.</param>
public sealed record HostFacts(
    string KernelRelease,
    string Architecture,
    string? KernelConfigSource,
    string KernelConfigHash,
    Feature Iommufd,
    Feature IommufdTest,
    Feature VfioCdev,
    IReadOnlyList<string> IommuModels,
    IReadOnlyList<IommuGroup> IommuGroups,
    IReadOnlyList<string> VfioPciDevices,
    Feature Qemu,
    Feature TestKernel);

/// <summary>Whether something is there, and the evidence.</summary>
/// <param name="Present">True when it is usable.</param>
/// <param name="Detail">What was found or what is missing (a path, a version, a config line).</param>
public sealed record Feature(bool Present, string Detail);

/// <summary>An IOMMU group and its devices.</summary>
/// <param name="Id">Group number.</param>
/// <param name="Devices">PCI (or other) device names in it.</param>
public sealed record IommuGroup(string Id, IReadOnlyList<string> Devices);
