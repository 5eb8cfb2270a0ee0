namespace IommuFd.Engine;

/// <summary>The machine the engine pretends to be: page sizes and the kernel configuration choices
/// that change uAPI-visible results.</summary>
/// <param name="PageSize">PAGE_SIZE (4096 on x86_64).</param>
/// <param name="HugePageSize">HPAGE_SIZE: the cap of automatic IOVA alignment when THP is on (2 MiB on x86_64).</param>
/// <param name="TransparentHugePages">CONFIG_TRANSPARENT_HUGEPAGE: without it automatic alignment is capped at PAGE_SIZE.</param>
/// <param name="VfioNoIommu">CONFIG_VFIO_NOIOMMU: what VFIO_CHECK_EXTENSION(VFIO_NOIOMMU_IOMMU) answers.</param>
public sealed record PlatformProfile(ulong PageSize, ulong HugePageSize, bool TransparentHugePages, bool VfioNoIommu)
{
    /// <summary>x86_64 with 4 KiB pages, THP on, VFIO no-IOMMU support built in.</summary>
    public static PlatformProfile X86_64 { get; } = new(4096, 2UL << 20, true, true);
}

/// <summary>Settings of an <see cref="EngineBackend"/>: the platform and the caller's privileges.</summary>
/// <param name="Platform">Page sizes and kernel configuration.</param>
/// <param name="CapSysResource">CAP_SYS_RESOURCE: needed to set IOMMU_OPTION_RLIMIT_MODE (root has it).</param>
/// <param name="CapIpcLock">CAP_IPC_LOCK: pinned pages are not charged to RLIMIT_MEMLOCK (root has it).</param>
/// <param name="FirstFd">The first fd number handed out; fds are the lowest free number from here.</param>
/// <param name="IommufdTest">CONFIG_IOMMUFD_TEST: the dispatch table reaches IOMMU_TEST_CMD (0xA0) and COPY
/// honours the syzkaller flag. Mock devices, mock paging and nested domains, invalidation, IOPF, dirty
/// tracking and accesses are modelled.</param>
/// <param name="MockIommuOwnsMockBus">With <paramref name="IommufdTest"/>: whether the selftest's mock IOMMU driver
/// probes the mock devices on 6.12. True under virtio-iommu or no IOMMU; false when a platform IOMMU without a
/// firmware node (Intel VT-d, AMD-Vi) registered first: its ops are then tried for the mock device, fail,
/// and binding the device answers EINVAL (no cache-coherency capability), so every MOCK_DOMAIN is EINVAL.
/// From 7.3 mock devices are added to the mock IOMMU directly (iommu_mock_device_add), whatever else
/// registered, so this setting no longer matters (<see cref="MockIommuProbesMockDevices"/>).</param>
/// <param name="Release">The kernel release answered as (docs/engine-notes.md, "Kernel versions"): where
/// a release changed what an ioctl returns, the engine follows this.</param>
public sealed record EngineOptions(PlatformProfile Platform, bool CapSysResource = true, bool CapIpcLock = true, int FirstFd = 1000,
    bool IommufdTest = false, bool MockIommuOwnsMockBus = true, KernelRelease? Release = null)
{
    /// <summary>The release answered as: <see cref="KernelRelease.Lts"/> unless set.</summary>
    public KernelRelease Kernel => Release ?? KernelRelease.Lts;

    /// <summary>Root on x86_64, answering as <see cref="KernelRelease.Lts"/>.</summary>
    public static EngineOptions Default { get; } = new(PlatformProfile.X86_64);

    /// <summary>6.12.118 (only the 6.12 series): iommu_read_and_clear_dirty returns what
    /// iova_bitmap_for_each says, and iova_bitmap_set refuses a report outside the range (EPROTO).
    /// 7.3 has neither: the walk's result is dropped.</summary>
    internal bool DirtyBitmapReportsErrors => Kernel.InSeries(6, 12) && Kernel.Sublevel >= 118;

    /// <summary>7.3: mock_dev_create adds the device to the mock IOMMU itself (iommu_mock_device_add).</summary>
    internal bool MockIommuProbesMockDevices => MockIommuOwnsMockBus || Kernel.AtLeast(7, 3);

    /// <summary>7.3: iopt_alloc_user_pages checks uptr + length for a wrap (EOVERFLOW) before
    /// iopt_alloc_pages checks the length (EINVAL).</summary>
    internal bool UserPagesWrapCheckedFirst => Kernel.AtLeast(7, 3);

    /// <summary>7.3: IOMMU_HWPT_INVALIDATE looks the ID up as any object: an existing object that is
    /// neither a nested HWPT nor a vIOMMU is EINVAL (6.12: ENOENT, the nested-HWPT lookup failing).</summary>
    internal bool InvalidateTakesAnyObject => Kernel.AtLeast(7, 3);

    /// <summary>7.3: the uAPI and selftest additions are in the tables (IOMMUFD_CMD 0x8f..0x95, test ops
    /// 16..23, MOCK_FLAGS_DEVICE_PASID) and 6.12's MOCK_FLAGS_DEVICE_HUGE_IOVA is gone.</summary>
    internal bool Has73Uapi => Kernel.AtLeast(7, 3);
}
