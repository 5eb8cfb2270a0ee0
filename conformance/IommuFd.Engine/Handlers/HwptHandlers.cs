using System.Runtime.CompilerServices;
using IommuFd.Engine.Dispatch;
using IommuFd.Engine.Files;
using IommuFd.Engine.Objects;
using IommuFd.Interop;

namespace IommuFd.Engine.Handlers;

/// <summary>
/// The 6.12 HWPT, HW_INFO, dirty-tracking, invalidation and fault-queue commands. Part 1 has no
/// devices and no HW page tables, so every lookup of one fails exactly as the kernel's does when
/// the ID names nothing of that type; the argument checks before the lookup are the kernel's.
/// </summary>
internal static class HwptHandlers
{
    /// <summary>iommufd_hwpt_alloc up to the device lookup.</summary>
    public static int HwptAlloc(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_hwpt_alloc cmd = ref ucmd.As<iommu_hwpt_alloc>();
        if (cmd.__reserved != 0)
            return -Errno.EOPNOTSUPP;
        bool none = cmd.data_type == (uint)Iommufd.IOMMU_HWPT_DATA_NONE;
        if ((none && cmd.data_len != 0) || (!none && cmd.data_len == 0))
            return -Errno.EINVAL;
        return NoObject(ctx, cmd.dev_id, ObjectType.Device);
    }

    /// <summary>iommufd_get_hw_info up to the device lookup.</summary>
    public static int GetHwInfo(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_hw_info cmd = ref ucmd.As<iommu_hw_info>();
        if (cmd.flags != 0 || cmd.__reserved[0] != 0 || cmd.__reserved[1] != 0 || cmd.__reserved[2] != 0)
            return -Errno.EOPNOTSUPP;
        return NoObject(ctx, cmd.dev_id, ObjectType.Device);
    }

    /// <summary>The lookup that ends every one of these commands in part 1: no object of these types
    /// can exist yet, so the kernel's get_object fails with ENOENT whatever the ID.</summary>
    private static int NoObject(IommufdContext ctx, uint id, ObjectType type)
    {
        System.Diagnostics.Debug.Assert(ctx.Objects.Get(id, type) == null, "part 1 never creates devices or HW page tables");
        return -Errno.ENOENT;
    }

    /// <summary>iommufd_hwpt_set_dirty_tracking up to the HWPT_PAGING lookup.</summary>
    public static int SetDirtyTracking(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_hwpt_set_dirty_tracking cmd = ref ucmd.As<iommu_hwpt_set_dirty_tracking>();
        if ((cmd.flags & ~(uint)Iommufd.IOMMU_HWPT_DIRTY_TRACKING_ENABLE) != 0)
            return -Errno.EOPNOTSUPP;
        return NoObject(ctx, cmd.hwpt_id, ObjectType.HwptPaging);
    }

    /// <summary>iommufd_hwpt_get_dirty_bitmap up to the HWPT_PAGING lookup.</summary>
    public static int GetDirtyBitmap(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_hwpt_get_dirty_bitmap cmd = ref ucmd.As<iommu_hwpt_get_dirty_bitmap>();
        if ((cmd.flags & ~(uint)Iommufd.IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) != 0 || cmd.__reserved != 0)
            return -Errno.EOPNOTSUPP;
        return NoObject(ctx, cmd.hwpt_id, ObjectType.HwptPaging);
    }

    /// <summary>iommufd_hwpt_invalidate: entry_num is written back (as the count handled) on every path.</summary>
    public static int Invalidate(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_hwpt_invalidate cmd = ref ucmd.As<iommu_hwpt_invalidate>();
        const uint EntryNumMax = 1u << 19;
        int rc;
        if (cmd.__reserved != 0)
            rc = -Errno.EOPNOTSUPP;
        else if (cmd.entry_num != 0 &&
                 (cmd.data_uptr == 0 || cmd.entry_len == 0 || cmd.entry_len > ctx.Platform.PageSize || cmd.entry_num > EntryNumMax))
            rc = -Errno.EINVAL;
        else
            rc = -Errno.ENOENT; // no HWPT_NESTED exists in part 1
        cmd.entry_num = 0;
        return ucmd.Respond(Unsafe.SizeOf<iommu_hwpt_invalidate>()) != 0 ? -Errno.EFAULT : rc;
    }

    /// <summary>iommufd_fault_alloc: a FAULT object and its fd. The fd keeps a users reference on the
    /// object and a reference on the context until it is closed.</summary>
    public static int FaultQueueAlloc(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_fault_alloc cmd = ref ucmd.As<iommu_fault_alloc>();
        if (cmd.flags != 0)
            return -Errno.EOPNOTSUPP;
        var fault = new FaultQueue();
        int rc = ctx.Objects.Allocate(fault);
        if (rc != 0)
            return rc;
        fault.Users++;
        ctx.Get();
        var file = new FaultFile(ctx, fault);
        int fd = ctx.Files.Reserve();
        if (fd < 0)
        {
            AbortFault(ctx, fault);
            return fd;
        }
        cmd.out_fault_id = fault.Id;
        cmd.out_fault_fd = (uint)fd;
        rc = ucmd.Respond(Unsafe.SizeOf<iommu_fault_alloc>());
        if (rc != 0)
        {
            ctx.Files.Unreserve(fd);
            AbortFault(ctx, fault);
            return rc;
        }
        ctx.Objects.Finalize(fault);
        ctx.Files.Install(fd, file);
        return 0;
    }

    private static void AbortFault(IommufdContext ctx, FaultQueue fault)
    {
        // abort_and_destroy fputs the file: its release drops the users and context references.
        fault.Users--;
        ctx.Objects.Abort(fault);
        ctx.Put();
    }
}
