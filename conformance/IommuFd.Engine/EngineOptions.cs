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
/// honours the syzkaller flag. Mock devices, mock paging and nested domains, invalidation and IOPF are
/// modelled; dirty tracking and accesses answer -ENOSYS, an errno iommufd never returns, so a diff shows them.</param>
/// <param name="MockIommuOwnsMockBus">With <paramref name="IommufdTest"/>: whether the selftest's mock IOMMU driver
/// probes the mock devices. True under virtio-iommu or no IOMMU; false when a platform IOMMU without a
/// firmware node (Intel VT-d, AMD-Vi) registered first: its ops are then tried for the mock device, fail,
/// and binding the device answers EINVAL (no cache-coherency capability), so every MOCK_DOMAIN is EINVAL.</param>
/// <param name="StableSublevel">The 6.12.y stable update answered as (y). Where a stable update changed what
/// an ioctl returns, the engine follows this: from 6.12.118 IOMMU_HWPT_GET_DIRTY_BITMAP returns the dirty
/// walk's error (EINVAL for a hole in the range or a domain not tracking) and EPROTO for a dirty IO page
/// that reaches outside the range; before, it answered 0 for both.</param>
public sealed record EngineOptions(PlatformProfile Platform, bool CapSysResource = true, bool CapIpcLock = true, int FirstFd = 1000,
    bool IommufdTest = false, bool MockIommuOwnsMockBus = true, int StableSublevel = EngineOptions.CurrentStableSublevel)
{
    /// <summary>The stable update of Debian's linux-source-6.12 the engine was last checked against.</summary>
    public const int CurrentStableSublevel = 118;

    /// <summary>6.12.118: iommu_read_and_clear_dirty returns what iova_bitmap_for_each says.</summary>
    internal bool DirtyBitmapReportsErrors => StableSublevel >= 118;

    /// <summary>Root on x86_64.</summary>
    public static EngineOptions Default { get; } = new(PlatformProfile.X86_64);
}
