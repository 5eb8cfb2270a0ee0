using IommuFd.Engine.Handlers;

namespace IommuFd.Engine.Dispatch;

/// <summary>The rows 7.3 adds to iommufd_ioctl_ops (IOMMUFD_CMD_IOAS_MAP_FILE .. IOAS_NOIOMMU_GET_PA,
/// 0x8f..0x95): request, struct size and minimum size (offsetofend of the member IOCTL_OP names), from
/// 7.3's include/uapi/linux/iommufd.h. The dispatcher's checks (size read, exact request, minimum size,
/// copy_struct_from_user) run on them exactly. The vIOMMU rows (<see cref="ViommuHandlers"/>),
/// IOAS_MAP_FILE and IOAS_CHANGE_PROCESS (Handlers/FileHandlers.cs) are modelled; IOAS_NOIOMMU_GET_PA
/// without CONFIG_IOMMUFD_NOIOMMU (the test kernel's) is a stub answering EOPNOTSUPP.</summary>
internal static class Uapi73
{
    private const uint Type = 0x3B00; // _IO(IOMMUFD_TYPE, nr): iommufd requests carry no size or direction

    public const uint IOMMU_IOAS_MAP_FILE = Type | 0x8F;
    public const uint IOMMU_VIOMMU_ALLOC = Type | 0x90;
    public const uint IOMMU_VDEVICE_ALLOC = Type | 0x91;
    public const uint IOMMU_IOAS_CHANGE_PROCESS = Type | 0x92;
    public const uint IOMMU_VEVENTQ_ALLOC = Type | 0x93;
    public const uint IOMMU_HW_QUEUE_ALLOC = Type | 0x94;
    public const uint IOMMU_IOAS_NOIOMMU_GET_PA = Type | 0x95;

    public static IReadOnlyList<IoctlOp> Ops { get; } =
    [
        // struct iommu_ioas_map_file { size, flags, ioas_id, fd; u64 start, length, iova }: min iova
        new(IOMMU_IOAS_MAP_FILE, FileHandlers.MapFile, 40, 40),
        // struct iommu_viommu_alloc { size, flags, type, dev_id, hwpt_id, out_viommu_id, data_len, __reserved; u64 data_uptr }: min out_viommu_id
        new(IOMMU_VIOMMU_ALLOC, ViommuHandlers.ViommuAlloc, 40, 24),
        // struct iommu_vdevice_alloc { size, viommu_id, dev_id, out_vdevice_id; u64 virt_id }: min virt_id
        new(IOMMU_VDEVICE_ALLOC, ViommuHandlers.VdeviceAlloc, 24, 24),
        // struct iommu_ioas_change_process { size, __reserved }: min __reserved
        new(IOMMU_IOAS_CHANGE_PROCESS, FileHandlers.ChangeProcess, 8, 8),
        // struct iommu_veventq_alloc { size, flags, viommu_id, type, veventq_depth, out_veventq_id, out_veventq_fd, __reserved }: min out_veventq_fd
        new(IOMMU_VEVENTQ_ALLOC, ViommuHandlers.VeventqAlloc, 32, 28),
        // struct iommu_hw_queue_alloc { size, flags, viommu_id, type, index, out_hw_queue_id; u64 nesting_parent_iova, length }: min length
        new(IOMMU_HW_QUEUE_ALLOC, ViommuHandlers.HwQueueAlloc, 40, 40),
        // struct iommu_ioas_noiommu_get_pa { size, flags, ioas_id, __reserved; u64 iova, length, out_phys }: min out_phys
        new(IOMMU_IOAS_NOIOMMU_GET_PA, NoIommuGetPa, 40, 40),
    ];

    private static int NotModelled(IommufdContext ctx, ref UserCommand ucmd) => -Errno.ENOSYS;

    // iommufd_ioas_noiommu_get_pa without CONFIG_IOMMUFD_NOIOMMU (it needs VFIO_NOIOMMU and VFIO_DEVICE_CDEV).
    private static int NoIommuGetPa(IommufdContext ctx, ref UserCommand ucmd) =>
        ctx.Platform.VfioNoIommu ? -Errno.ENOSYS : -Errno.EOPNOTSUPP;
}
