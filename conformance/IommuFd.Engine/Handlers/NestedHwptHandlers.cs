using System.Runtime.CompilerServices;
using IommuFd.Engine.Dispatch;
using IommuFd.Engine.Domains;

namespace IommuFd.Engine.Handlers;

/// <summary>Nested HWPTs (hw_pagetable.c, selftest.c): IOMMU_HWPT_ALLOC on a paging parent,
/// IOMMU_HWPT_INVALIDATE and IOMMU_TEST_OP_MD_CHECK_IOTLB.</summary>
internal static class NestedHwptHandlers
{
    private const uint FaultIdValid = (uint)Iommufd.IOMMU_HWPT_FAULT_ID_VALID;
    private const uint InvalidateEntryNumMax = 1u << 19; // IOMMU_HWPT_INVALIDATE_ENTRY_NUM_MAX

    /// <summary>iommufd_hwpt_alloc with pt_id a paging HWPT (iommufd_hwpt_nested_alloc) or, from 7.3, a
    /// vIOMMU (iommufd_viommu_alloc_hwpt_nested, whose parent is the vIOMMU's): the argument checks (a
    /// paging parent must be a nesting parent of no automatic domain), the object (its ID reserved, a
    /// users reference on the vIOMMU, else on the parent), the driver's domain, then the fault queue of
    /// IOMMU_HWPT_FAULT_ID_VALID; any failure after the reservation frees the ID.</summary>
    public static int Alloc(IommufdContext ctx, ref UserCommand ucmd, HwptPaging parent, Viommu? viommu)
    {
        ref iommu_hwpt_alloc cmd = ref ucmd.As<iommu_hwpt_alloc>();
        uint nestedFlags = FaultIdValid | (ctx.Options.Has73Uapi ? Devices.HwptAlloc.Pasid : 0);
        if ((cmd.flags & ~nestedFlags) != 0 || cmd.data_len == 0)
            return -Errno.EOPNOTSUPP;
        if (viommu == null && (parent.AutoDomain || !parent.NestParent))
            return -Errno.EINVAL;

        var hwpt = new HwptNested(parent, viommu);
        int rc = ctx.Objects.Allocate(hwpt);
        if (rc != 0)
            return rc;
        if (viommu != null)
            viommu.Users++;
        else
            parent.Users++;
        rc = MockNestedDomain.Alloc(new UserData(cmd.data_type, cmd.data_uptr, cmd.data_len),
            ctx.Options.Has73Uapi ? MockNestedDomain.UserDataSize73 : MockNestedDomain.UserDataSize, out MockNestedDomain? domain);
        if (rc != 0)
        {
            ctx.Objects.Abort(hwpt);
            return rc;
        }
        hwpt.Domain = domain;

        if ((cmd.flags & FaultIdValid) != 0)
        {
            if (ctx.Objects.Get(cmd.fault_id, ObjectType.Fault) is not FaultQueue fault)
            {
                ctx.Objects.Abort(hwpt);
                return -Errno.ENOENT;
            }
            hwpt.Fault = fault;
            fault.Users++;
        }

        cmd.out_hwpt_id = hwpt.Id;
        rc = ucmd.Respond(Unsafe.SizeOf<iommu_hwpt_alloc>());
        if (rc != 0)
        {
            ctx.Objects.Abort(hwpt);
            return rc;
        }
        ctx.Objects.Finalize(hwpt);
        return 0;
    }

    /// <summary>iommufd_hwpt_invalidate: the array bounds (EINVAL), the reserved field before them
    /// (EOPNOTSUPP), a nested HWPT (6.12: ENOENT for anything else; 7.3: ENOENT only for no object, EINVAL
    /// for one of another type, the vIOMMU's cache_invalidate for a vIOMMU), then the driver. entry_num
    /// is written back on every path as the number of entries handled.</summary>
    public static int Invalidate(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_hwpt_invalidate cmd = ref ucmd.As<iommu_hwpt_invalidate>();
        uint handled = 0;
        int rc;
        if (cmd.__reserved != 0)
            rc = -Errno.EOPNOTSUPP;
        else if (cmd.entry_num != 0 &&
                 (cmd.data_uptr == 0 || cmd.entry_len == 0 || cmd.entry_len > ctx.Platform.PageSize || cmd.entry_num > InvalidateEntryNumMax))
            rc = -Errno.EINVAL;
        else if (ctx.Objects.Get(cmd.hwpt_id, ObjectType.HwptNested) is HwptNested hwpt)
            rc = hwpt.Domain!.InvalidateUser(cmd.data_type, cmd.data_uptr, cmd.entry_len, cmd.entry_num, out handled);
        else if (ctx.Objects.Get(cmd.hwpt_id, ObjectType.Viommu) is Viommu viommu)
            rc = ViommuHandlers.Invalidate(viommu, cmd.data_type, cmd.data_uptr, cmd.entry_len, cmd.entry_num, out handled);
        else
            rc = ctx.Options.InvalidateTakesAnyObject && ctx.Objects.Get(cmd.hwpt_id, ObjectType.Any) != null ? -Errno.EINVAL : -Errno.ENOENT;
        cmd.entry_num = handled;
        return ucmd.Respond(Unsafe.SizeOf<iommu_hwpt_invalidate>()) != 0 ? -Errno.EFAULT : rc;
    }

    /// <summary>iommufd_test_md_check_iotlb: <paramref name="hwptId"/> must be a nested HWPT (ENOENT).</summary>
    public static int CheckIotlb(IommufdContext ctx, uint hwptId, uint iotlbId, uint expected) =>
        ctx.Objects.Get(hwptId, ObjectType.HwptNested) is HwptNested hwpt ? hwpt.Domain!.CheckIotlb(iotlbId, expected) : -Errno.ENOENT;
}
