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
    public const uint DeviceFlagPasid = 1 << 2;          // MOCK_FLAGS_DEVICE_PASID (7.3)
    public const int PasidWidth = 20;                      // MOCK_PASID_WIDTH (7.3)
    public const ulong CapPciAtsNotSupported = 1 << 3;    // IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED (7.3)
    public const uint HwInfoRegval = 0xdeadbeef;           // IOMMU_HW_INFO_SELFTEST_REGVAL
    public const uint HwInfoTypeSelftest = 0xfeedbeef;    // IOMMU_HW_INFO_TYPE_SELFTEST

    /// <summary>mock_dev_create's valid flags: 6.12 NO_DIRTY and HUGE_IOVA; 7.3 NO_DIRTY and PASID (HUGE_IOVA
    /// is gone: huge IO pages are a page-table type of HWPT_ALLOC there).</summary>
    public static uint KnownDeviceFlags(EngineOptions options) => IommufdTest.MOCK_FLAGS_DEVICE_NO_DIRTY |
        (options.Has73Uapi ? DeviceFlagPasid : IommufdTest.MOCK_FLAGS_DEVICE_HUGE_IOVA);

    /// <summary>7.3's mock_domain_alloc_paging_flags with driver data: IOMMU_HWPT_DATA_SELFTEST only
    /// (EOPNOTSUPP), struct iommu_hwpt_selftest (4 to 8 bytes), whose pagetable_type MOCK_IOMMUPT_DEFAULT
    /// is the domain without data; MOCK_IOMMUPT_HUGE (1 MiB and 4 KiB IO pages, no mock aperture) is not
    /// modelled yet (ENOSYS); any other type is EOPNOTSUPP.</summary>
    public static int PagingData(UserData data)
    {
        if (data.Type != MockNestedDomain.DataSelftest)
            return -Errno.EOPNOTSUPP;
        Span<byte> cfg = stackalloc byte[MockNestedDomain.UserDataSize73];
        int rc = data.CopyStruct(cfg, MockNestedDomain.DataSelftest, MockNestedDomain.UserDataSize);
        if (rc != 0)
            return rc;
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(cfg[4..]) switch
        {
            0 => 0,                  // MOCK_IOMMUPT_DEFAULT
            1 => -Errno.ENOSYS,      // MOCK_IOMMUPT_HUGE
            _ => -Errno.EOPNOTSUPP,
        };
    }

    /// <summary>The page sizes of 7.3's mock table (AMD v1 format, 2 KiB granule, three levels): every
    /// power of two from 2 KiB to 2^36.</summary>
    public const ulong GenericPgsizeBitmap = ((1UL << 37) - 1) & ~(IoPageSize - 1);

    /// <summary>mock_domain_alloc_paging (6.12: the device's flags pick the page sizes) or 7.3's
    /// mock_domain_alloc_pgtable with MOCK_IOMMUPT_DEFAULT (the generic page table, aperture overridden
    /// to the mock one).</summary>
    public static IommuDomain AllocPaging(EngineOptions options, uint deviceFlags, bool dirtyOps) => options.Has73Uapi
        ? new(ApertureStart, ApertureLast, GenericPgsizeBitmap, dirtyOps, genericPageTable: true)
        : new(ApertureStart, ApertureLast,
            IoPageSize | ((deviceFlags & IommufdTest.MOCK_FLAGS_DEVICE_HUGE_IOVA) != 0 ? HugePageSize : 0), dirtyOps);

    /// <summary>mock_domain_nop_attach: a domain with dirty ops refuses a device without dirty tracking.</summary>
    public static int Attach(IommuDomain domain, uint deviceFlags) =>
        domain.DirtyOps && (deviceFlags & IommufdTest.MOCK_FLAGS_DEVICE_NO_DIRTY) != 0 ? -Errno.EINVAL : 0;

    /// <summary>mock_domain_capable(IOMMU_CAP_DIRTY_TRACKING).</summary>
    public static bool DirtyCapable(uint deviceFlags) => (deviceFlags & IommufdTest.MOCK_FLAGS_DEVICE_NO_DIRTY) == 0;
}
