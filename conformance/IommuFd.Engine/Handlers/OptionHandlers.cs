using IommuFd.Engine.Dispatch;
using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Handlers;

/// <summary>IOMMU_OPTION and IOMMU_VFIO_IOAS.</summary>
internal static class OptionHandlers
{
    private const ushort OpSet = (ushort)Iommufd.IOMMU_OPTION_OP_SET;
    private const ushort OpGet = (ushort)Iommufd.IOMMU_OPTION_OP_GET;
    private static readonly ulong Val64Offset = (ulong)System.Runtime.InteropServices.Marshal.OffsetOf<iommu_option>("val64");

    /// <summary>iommufd_option: on success only val64 is written back.</summary>
    public static int Option(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_option cmd = ref ucmd.As<iommu_option>();
        if (cmd.__reserved != 0)
            return -Errno.EOPNOTSUPP;
        int rc;
        switch (cmd.option_id)
        {
            case (uint)Iommufd.IOMMU_OPTION_RLIMIT_MODE:
                rc = RlimitMode(ctx, ref cmd);
                break;
            case (uint)Iommufd.IOMMU_OPTION_HUGE_PAGES:
                rc = HugePages(ctx, ref cmd);
                break;
            default:
                return -Errno.EOPNOTSUPP;
        }
        if (rc != 0)
            return rc;
        return UserAccess.Put(cmd.val64, ucmd.UserPointer + Val64Offset);
    }

    private static int RlimitMode(IommufdContext ctx, ref iommu_option cmd)
    {
        if (cmd.object_id != 0)
            return -Errno.EOPNOTSUPP;
        if (cmd.op == OpGet)
        {
            cmd.val64 = ctx.AccountMode == PagesAccountMode.Mm ? 1UL : 0UL;
            return 0;
        }
        if (cmd.op != OpSet)
            return -Errno.EOPNOTSUPP;
        if (!ctx.Options.CapSysResource)
            return -Errno.EPERM;
        if (!ctx.Objects.IsEmpty)
            return -Errno.EBUSY;
        switch (cmd.val64)
        {
            case 0: ctx.AccountMode = PagesAccountMode.User; return 0;
            case 1: ctx.AccountMode = PagesAccountMode.Mm; return 0;
            default: return -Errno.EINVAL;
        }
    }

    private static int HugePages(IommufdContext ctx, ref iommu_option cmd)
    {
        Ioas? ioas = ctx.GetIoas(cmd.object_id);
        if (ioas == null)
            return -Errno.ENOENT;
        if (cmd.op == OpGet)
        {
            cmd.val64 = ioas.Iopt.DisableLargePages ? 0UL : 1UL;
            return 0;
        }
        if (cmd.op != OpSet)
            return -Errno.EOPNOTSUPP;
        switch (cmd.val64)
        {
            case 0: return ioas.Iopt.DisableLarge();
            case 1: ioas.Iopt.EnableLarge(); return 0;
            default: return -Errno.EINVAL;
        }
    }

    /// <summary>iommufd_vfio_ioas: GET/SET/CLEAR of the VFIO compat IOAS.</summary>
    public static int VfioIoas(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_vfio_ioas cmd = ref ucmd.As<iommu_vfio_ioas>();
        if (cmd.__reserved != 0)
            return -Errno.EOPNOTSUPP;
        switch (cmd.op)
        {
            case (ushort)Iommufd.IOMMU_VFIO_IOAS_GET:
                if (ctx.VfioIoas == null)
                    return -Errno.ENODEV;
                cmd.ioas_id = ctx.VfioIoas.Id;
                return ucmd.Respond(System.Runtime.CompilerServices.Unsafe.SizeOf<iommu_vfio_ioas>());
            case (ushort)Iommufd.IOMMU_VFIO_IOAS_SET:
                Ioas? ioas = ctx.GetIoas(cmd.ioas_id);
                if (ioas == null)
                    return -Errno.ENOENT;
                ctx.VfioIoas = ioas;
                return 0;
            case (ushort)Iommufd.IOMMU_VFIO_IOAS_CLEAR:
                ctx.VfioIoas = null;
                return 0;
            default:
                return -Errno.EOPNOTSUPP;
        }
    }
}
