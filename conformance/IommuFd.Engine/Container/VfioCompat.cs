using System.Runtime.CompilerServices;
using IommuFd.Engine.Handlers;
using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Container;

/// <summary>
/// iommufd_vfio_ioctl: the VFIO type1 container ioctls answered on an iommufd fd against the compat
/// IOAS. Everything else (including commands of other types) is ENOTTY, without touching memory.
/// </summary>
internal static class VfioCompat
{
    public static int Ioctl(IommufdContext ctx, uint cmd, ulong arg)
    {
        switch (cmd)
        {
            case Vfio.VFIO_GET_API_VERSION:
                return (int)Vfio.VFIO_API_VERSION;
            case Vfio.VFIO_SET_IOMMU:
                lock (ctx.Lock) return SetIommu(ctx, arg);
            case Vfio.VFIO_CHECK_EXTENSION:
                lock (ctx.Lock) return CheckExtension(ctx, arg);
            case Vfio.VFIO_IOMMU_GET_INFO:
                return VfioGetInfo.Run(ctx, arg);
            case Vfio.VFIO_IOMMU_MAP_DMA:
                return MapDma(ctx, arg);
            case Vfio.VFIO_IOMMU_UNMAP_DMA:
                return UnmapDma(ctx, arg);
            default:
                return -Errno.ENOTTY;
        }
    }

    private static int CheckExtension(IommufdContext ctx, ulong type)
    {
        switch (type)
        {
            case (ulong)Vfio.VFIO_TYPE1_IOMMU:
            case (ulong)Vfio.VFIO_TYPE1v2_IOMMU:
            case (ulong)Vfio.VFIO_UNMAP_ALL:
                return ctx.NoIommuMode ? 0 : 1;
            case (ulong)Vfio.VFIO_NOIOMMU_IOMMU:
                return ctx.Platform.VfioNoIommu ? 1 : 0;
            case (ulong)Vfio.VFIO_DMA_CC_IOMMU:
                // 0 once a paging HWPT of the compat IOAS does not enforce coherency (no mock domain does).
                return ctx.VfioIoas == null ? -Errno.ENODEV : ctx.VfioIoas.Hwpts.Count == 0 ? 1 : 0;
            default:
                return 0; // NESTING, UPDATE_VADDR and anything unknown
        }
    }

    private static int SetIommu(IommufdContext ctx, ulong type)
    {
        if (ctx.Platform.VfioNoIommu && type == (ulong)Vfio.VFIO_NOIOMMU_IOMMU && ctx.NoIommuMode)
            return 0; // CAP_SYS_RAWIO assumed with root; unreachable while NoIommuMode is never set
        if ((type != (ulong)Vfio.VFIO_TYPE1_IOMMU && type != (ulong)Vfio.VFIO_TYPE1v2_IOMMU) || ctx.NoIommuMode)
            return -Errno.EINVAL;
        Ioas? ioas = ctx.VfioIoas;
        if (ioas == null)
            return -Errno.ENODEV;
        // Type1 v1 cannot cope with huge pages; v2 leaves the setting alone.
        return type == (ulong)Vfio.VFIO_TYPE1_IOMMU ? ioas.Iopt.DisableLarge() : 0;
    }

    /// <summary>iommufd_vfio_map_dma: a FIXED map with the VFIO flags; flags 0 is accepted.</summary>
    private static int MapDma(IommufdContext ctx, ulong arg)
    {
        int minsz = Unsafe.SizeOf<vfio_iommu_type1_dma_map>();
        if (UserAccess.Get(out vfio_iommu_type1_dma_map map, arg) != 0)
            return -Errno.EFAULT;
        const uint supported = (uint)(Vfio.VFIO_DMA_MAP_FLAG_READ | Vfio.VFIO_DMA_MAP_FLAG_WRITE);
        if (map.argsz < minsz || (map.flags & ~supported) != 0)
            return -Errno.EINVAL;
        IommuProt prot = IommuProt.Cache;
        if ((map.flags & (uint)Vfio.VFIO_DMA_MAP_FLAG_READ) != 0) prot |= IommuProt.Read;
        if ((map.flags & (uint)Vfio.VFIO_DMA_MAP_FLAG_WRITE) != 0) prot |= IommuProt.Write;
        lock (ctx.Lock)
        {
            Ioas? ioas = ctx.VfioIoas;
            if (ioas == null)
                return -Errno.ENODEV;
            ulong iova = map.iova;
            return MapHandlers.MapUserPages(ctx, ioas.Iopt, ref iova, map.vaddr, map.size, prot, allocIova: false);
        }
    }

    /// <summary>iommufd_vfio_unmap_dma: the header is written back with the bytes unmapped whatever
    /// the unmap step returned; empty ranges succeed.</summary>
    private static int UnmapDma(IommufdContext ctx, ulong arg)
    {
        int minsz = Unsafe.SizeOf<vfio_iommu_type1_dma_unmap>();
        if (UserAccess.Get(out vfio_iommu_type1_dma_unmap unmap, arg) != 0)
            return -Errno.EFAULT;
        if (unmap.argsz < minsz || (unmap.flags & ~(uint)Vfio.VFIO_DMA_UNMAP_FLAG_ALL) != 0)
            return -Errno.EINVAL;
        lock (ctx.Lock)
        {
            Ioas? ioas = ctx.VfioIoas;
            if (ioas == null)
                return -Errno.ENODEV;
            int rc;
            ulong unmapped = 0;
            if ((unmap.flags & (uint)Vfio.VFIO_DMA_UNMAP_FLAG_ALL) != 0)
            {
                if (unmap.iova != 0 || unmap.size != 0)
                    return -Errno.EINVAL;
                rc = ioas.Iopt.UnmapAll(out unmapped);
            }
            else
            {
                if (ioas.Iopt.DisableLargePages)
                {
                    // Type1 v1 may punch holes: cut the areas at both ends of the range first.
                    ReadOnlySpan<ulong> cuts = [unmap.iova + unmap.size - 1, unmap.iova - 1];
                    rc = ioas.Iopt.CutIova(unmap.iova != 0 ? cuts : cuts[..1]);
                    if (rc != 0)
                        return rc;
                }
                rc = ioas.Iopt.Unmap(unmap.iova, unmap.size, out unmapped);
            }
            unmap.size = unmapped;
            if (UserAccess.Put(unmap, arg) != 0)
                rc = -Errno.EFAULT;
            return rc;
        }
    }
}
