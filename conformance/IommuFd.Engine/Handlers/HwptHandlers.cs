using System.Runtime.CompilerServices;
using IommuFd.Engine.Dispatch;
using IommuFd.Engine.Domains;
using IommuFd.Engine.Files;

namespace IommuFd.Engine.Handlers;

/// <summary>
/// The 6.12 HWPT, HW_INFO and fault-queue commands. Devices are the selftest's mock devices;
/// nested HWPTs and invalidation are in <see cref="NestedHwptHandlers"/>, dirty tracking in
/// <see cref="DirtyHandlers"/>.
/// </summary>
internal static class HwptHandlers
{
    /// <summary>iommufd_hwpt_alloc: a paging HWPT on an IOAS for a mock device, or a nested one on a
    /// paging HWPT (<see cref="NestedHwptHandlers.Alloc"/>).</summary>
    public static int HwptAlloc(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_hwpt_alloc cmd = ref ucmd.As<iommu_hwpt_alloc>();
        if (cmd.__reserved != 0)
            return -Errno.EOPNOTSUPP;
        bool none = cmd.data_type == (uint)Iommufd.IOMMU_HWPT_DATA_NONE;
        if ((none && cmd.data_len != 0) || (!none && cmd.data_len == 0))
            return -Errno.EINVAL;
        if (ctx.Objects.Get(cmd.dev_id, ObjectType.Device) is not Device idev)
            return -Errno.ENOENT;
        HwptPaging? hwpt;
        int rc;
        switch (ctx.Objects.Get(cmd.pt_id, ObjectType.Any))
        {
            case Ioas ioas:
                rc = Devices.HwptAlloc.Paging(ctx, ioas, idev, cmd.flags, immediateAttach: false,
                    cmd.data_len != 0 ? new UserData(cmd.data_type, cmd.data_uptr, cmd.data_len) : null, out hwpt);
                if (rc != 0)
                    return rc;
                break;
            case HwptPaging parent:
                return NestedHwptHandlers.Alloc(ctx, ref ucmd, parent, viommu: null);
            case Viommu viommu: // 7.3: iommufd_viommu_alloc_hwpt_nested (every mock device has the vIOMMU's IOMMU)
                return NestedHwptHandlers.Alloc(ctx, ref ucmd, viommu.Hwpt, viommu);
            default:
                return -Errno.EINVAL; // no object, or not an IOAS / paging HWPT / vIOMMU
        }
        // IOMMU_HWPT_FAULT_ID_VALID gets here from 7.3 only (6.12's paging HWPT refuses the flag).
        if ((cmd.flags & (uint)Iommufd.IOMMU_HWPT_FAULT_ID_VALID) != 0)
        {
            if (ctx.Objects.Get(cmd.fault_id, ObjectType.Fault) is not FaultQueue fault)
            {
                ctx.Objects.Abort(hwpt!);
                return -Errno.ENOENT;
            }
            hwpt!.Fault = fault;
            fault.Users++;
        }
        cmd.out_hwpt_id = hwpt!.Id;
        rc = ucmd.Respond(Unsafe.SizeOf<iommu_hwpt_alloc>());
        if (rc != 0)
        {
            ctx.Objects.Abort(hwpt);
            return rc;
        }
        ctx.Objects.Finalize(hwpt);
        return 0;
    }

    /// <summary>iommufd_get_hw_info for a mock device: struct iommu_test_hw_info (8 bytes) copied up to
    /// data_len, the rest of the user buffer zeroed, data_len set to 8. 7.3 takes IOMMU_HW_INFO_FLAG_INPUT_TYPE
    /// (out_data_type then carries the type asked for: the mock answers DEFAULT and SELFTEST, EOPNOTSUPP for
    /// others), reports IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED (the mock is not ATS capable) and a PASID
    /// device's PASID width.</summary>
    public static int GetHwInfo(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_hw_info cmd = ref ucmd.As<iommu_hw_info>();
        uint supportedFlags = ctx.Options.Has73Uapi ? InputTypeFlag : 0;
        if ((cmd.flags & ~supportedFlags) != 0 || cmd.__reserved[0] != 0 || cmd.__reserved[1] != 0 || cmd.__reserved[2] != 0)
            return -Errno.EOPNOTSUPP;
        if ((cmd.flags & InputTypeFlag) == 0)
            cmd.out_data_type = 0; // in_data_type, the same bytes: IOMMU_HW_INFO_TYPE_DEFAULT
        if (ctx.Objects.Get(cmd.dev_id, ObjectType.Device) is not Device idev)
            return -Errno.ENOENT;
        if (cmd.out_data_type != 0 && cmd.out_data_type != MockIommu.HwInfoTypeSelftest)
            return -Errno.EOPNOTSUPP; // mock_domain_hw_info
        Span<byte> data = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(data, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(data[4..], MockIommu.HwInfoRegval);
        cmd.out_data_type = MockIommu.HwInfoTypeSelftest;
        int copyLen = (int)Math.Min(cmd.data_len, (uint)data.Length);
        if (UserAccess.CopyToUser(data[..copyLen], cmd.data_uptr) != 0)
            return -Errno.EFAULT;
        if ((uint)copyLen < cmd.data_len && ClearUser(cmd.data_uptr + (ulong)copyLen, cmd.data_len - (uint)copyLen) != 0)
            return -Errno.EFAULT;
        cmd.data_len = (uint)data.Length;
        cmd.out_capabilities = MockIommu.DirtyCapable(idev.MockFlags) ? (ulong)Iommufd.IOMMU_HW_CAP_DIRTY_TRACKING : 0;
        cmd.out_max_pasid_log2 = 0;
        if (ctx.Options.Has73Uapi)
        {
            cmd.out_capabilities |= MockIommu.CapPciAtsNotSupported;
            if ((idev.MockFlags & MockIommu.DeviceFlagPasid) != 0)
                cmd.out_max_pasid_log2 = MockIommu.PasidWidth;
        }
        return ucmd.Respond(Unsafe.SizeOf<iommu_hw_info>());
    }

    private const uint InputTypeFlag = 1; // IOMMU_HW_INFO_FLAG_INPUT_TYPE (7.3)

    // clear_user: zeroes page by page, so a fault midway leaves the bytes before it zeroed.
    private static int ClearUser(ulong address, ulong length)
    {
        Span<byte> zeros = stackalloc byte[4096];
        zeros.Clear();
        while (length != 0)
        {
            int n = (int)Math.Min(length, 4096 - (address & 4095));
            if (UserAccess.CopyToUser(zeros[..n], address) != 0)
                return -Errno.EFAULT;
            address += (ulong)n;
            length -= (ulong)n;
        }
        return 0;
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
        var file = new EventQueueFile(ctx, fault);
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
