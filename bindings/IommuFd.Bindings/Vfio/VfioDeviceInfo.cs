namespace IommuFd.Bindings;

/// <summary>What VFIO_DEVICE_GET_INFO reports.</summary>
/// <param name="Flags">Device flags (reset support, bus type, capabilities).</param>
/// <param name="NumRegions">Highest region index + 1.</param>
/// <param name="NumIrqs">Highest IRQ index + 1.</param>
/// <param name="Capabilities">The capability chain, as parsed.</param>
public sealed record VfioDeviceInfo(VfioDeviceFlags Flags, uint NumRegions, uint NumIrqs, IReadOnlyList<VfioCapability> Capabilities);

/// <summary>What VFIO_DEVICE_GET_REGION_INFO reports about one region.</summary>
/// <param name="Index">The region index (for PCI: BARs 0-5, ROM 6, config space 7, VGA 8).</param>
/// <param name="Flags">Access flags.</param>
/// <param name="Size">Region size in bytes (0 when the region does not exist).</param>
/// <param name="Offset">Where the region starts in the device fd, for pread/pwrite/mmap.</param>
/// <param name="Capabilities">The capability chain (sparse mmap areas, region type, MSI-X mappable).</param>
public sealed record VfioRegionInfo(uint Index, VfioRegionFlags Flags, ulong Size, ulong Offset, IReadOnlyList<VfioCapability> Capabilities);

/// <summary>What VFIO_DEVICE_GET_IRQ_INFO reports about one IRQ index.</summary>
/// <param name="Index">The IRQ index (for PCI: INTx 0, MSI 1, MSI-X 2, ERR 3, REQ 4).</param>
/// <param name="Flags">What the IRQs support.</param>
/// <param name="Count">Number of vectors.</param>
public readonly record struct VfioIrqInfo(uint Index, VfioIrqInfoFlags Flags, uint Count);
