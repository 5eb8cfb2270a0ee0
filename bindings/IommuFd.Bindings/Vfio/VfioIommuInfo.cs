namespace IommuFd.Bindings;

/// <summary>What VFIO_IOMMU_GET_INFO reports on a type1 container.</summary>
/// <param name="Flags"><c>flags</c>: VFIO_IOMMU_INFO_PGSIZES, VFIO_IOMMU_INFO_CAPS.</param>
/// <param name="IovaPageSizes"><c>iova_pgsizes</c>: bitmap of supported IOMMU page sizes.</param>
/// <param name="Capabilities">The capability chain, as parsed.</param>
/// <param name="IovaRanges">The usable IOVA ranges (VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE), if reported.</param>
/// <param name="DmaAvailable">How many more DMA mappings are allowed (VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL), if reported.</param>
public sealed record VfioIommuInfo(uint Flags, ulong IovaPageSizes, IReadOnlyList<VfioCapability> Capabilities,
                                   IReadOnlyList<IovaRange>? IovaRanges, uint? DmaAvailable);
