namespace IommuFd.Bindings;

/// <summary>What IOMMU_GET_HW_INFO reports about the IOMMU behind a device.</summary>
/// <param name="DataType"><c>out_data_type</c>: <c>enum iommu_hw_info_type</c> (e.g. INTEL_VTD), or the selftest's 0xfeedbeef.</param>
/// <param name="DataLength"><c>data_len</c> on return: the size of the driver's data, which may exceed the buffer given.</param>
/// <param name="MaxPasidLog2"><c>out_max_pasid_log2</c>: width of PASIDs, 0 when PASID is unsupported.</param>
/// <param name="Capabilities"><c>out_capabilities</c>.</param>
public readonly record struct HwInfo(uint DataType, uint DataLength, byte MaxPasidLog2, HwCapabilities Capabilities);
