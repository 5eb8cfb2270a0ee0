namespace IommuFd.Bindings;

/// <summary>What IOMMU_TEST_OP_MOCK_DOMAIN creates: a selftest object, the mock device bound to the
/// iommufd, and the HWPT the device got attached to.</summary>
/// <param name="Stdev">The SELFTEST object; destroying it detaches and unbinds the mock device.</param>
/// <param name="Hwpt">The HWPT the device is attached to (an automatic domain when an IOAS was given).</param>
/// <param name="Device">The DEVICE object of the mock device.</param>
public readonly record struct MockDomain(SelftestId Stdev, HwptId Hwpt, DeviceId Device);
