using IommuFd.Interop;

namespace IommuFd.Engine.Domains;

/// <summary>
/// The selftest's mock IOMMU driver (selftest.c mock_ops): 2 KiB IO pages (PAGE_SIZE / 2), the
/// aperture [MOCK_APERTURE_START, MOCK_APERTURE_LAST], no reserved regions, one group per device,
/// cache coherent, dirty tracking unless the device says MOCK_FLAGS_DEVICE_NO_DIRTY.
/// </summary>
internal static class MockIommu
{
    public const ulong IoPageSize = 2048;                // MOCK_IO_PAGE_SIZE on 4 KiB pages
    public const ulong HugePageSize = 512 * IoPageSize;  // MOCK_HUGE_PAGE_SIZE
    public const ulong ApertureStart = 1UL << 24;         // MOCK_APERTURE_START
    public const ulong ApertureLast = (1UL << 31) - 1;    // MOCK_APERTURE_LAST
    public const uint KnownDeviceFlags = IommufdTest.MOCK_FLAGS_DEVICE_NO_DIRTY | IommufdTest.MOCK_FLAGS_DEVICE_HUGE_IOVA;
    public const uint HwInfoRegval = 0xdeadbeef;           // IOMMU_HW_INFO_SELFTEST_REGVAL
    public const uint HwInfoTypeSelftest = 0xfeedbeef;    // IOMMU_HW_INFO_TYPE_SELFTEST

    /// <summary>mock_domain_alloc_paging: the device's flags pick the page sizes.</summary>
    public static IommuDomain AllocPaging(uint deviceFlags, bool dirtyOps) => new(ApertureStart, ApertureLast,
        IoPageSize | ((deviceFlags & IommufdTest.MOCK_FLAGS_DEVICE_HUGE_IOVA) != 0 ? HugePageSize : 0), dirtyOps);

    /// <summary>mock_domain_nop_attach: a domain with dirty ops refuses a device without dirty tracking.</summary>
    public static int Attach(IommuDomain domain, uint deviceFlags) =>
        domain.DirtyOps && (deviceFlags & IommufdTest.MOCK_FLAGS_DEVICE_NO_DIRTY) != 0 ? -Errno.EINVAL : 0;

    /// <summary>mock_domain_capable(IOMMU_CAP_DIRTY_TRACKING).</summary>
    public static bool DirtyCapable(uint deviceFlags) => (deviceFlags & IommufdTest.MOCK_FLAGS_DEVICE_NO_DIRTY) == 0;
}
