using System.Runtime.CompilerServices;
using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Container;

/// <summary>
/// iommufd_vfio_iommu_get_info: the info header plus the DMA-avail and IOVA-range capabilities,
/// each written only if it fits in argsz, chained through next, each padded to 8 bytes.
/// </summary>
internal static class VfioGetInfo
{
    public static int Run(IommufdContext ctx, ulong arg)
    {
        int infoSize = Unsafe.SizeOf<vfio_iommu_type1_info>();
        int minsz = (int)System.Runtime.InteropServices.Marshal.OffsetOf<vfio_iommu_type1_info>("iova_pgsizes") + sizeof(ulong);
        vfio_iommu_type1_info info = default;
        Span<byte> infoBytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(new Span<vfio_iommu_type1_info>(ref info));
        if (UserAccess.CopyFromUser(infoBytes[..minsz], arg) != 0)
            return -Errno.EFAULT;
        if (info.argsz < minsz)
            return -Errno.EINVAL;
        int writeSize = (int)Math.Min(info.argsz, (uint)infoSize);

        lock (ctx.Lock)
        {
            Ioas? ioas = ctx.VfioIoas;
            if (ioas == null)
                return -Errno.ENODEV;
            info.flags = (uint)Vfio.VFIO_IOMMU_INFO_PGSIZES;
            info.iova_pgsizes = PageSizes(ctx, ioas);
            info.cap_offset = 0;

            ulong total = (ulong)infoSize;
            ulong lastCap = 0;
            for (int i = 0; i < 2; i++)
            {
                bool room = info.argsz > total;
                ulong cur = room ? arg + total : 0;
                ulong avail = room ? info.argsz - total : 0;
                long capSize = i == 0 ? FillDmaAvail(cur, avail) : FillIovaRanges(ioas, cur, avail);
                if (capSize < 0)
                    return (int)capSize;
                capSize = (capSize + 7) & ~7L;
                const ulong nextOffset = 4; // offsetof(struct vfio_info_cap_header, next)
                if (lastCap != 0 && info.argsz >= total && UserAccess.Put((uint)total, lastCap + nextOffset) != 0)
                    return -Errno.EFAULT;
                lastCap = arg + total;
                total += (ulong)capSize;
            }
            if (info.argsz >= total)
                info.cap_offset = (uint)infoSize;
            info.argsz = (uint)total;
            info.flags |= (uint)Vfio.VFIO_IOMMU_INFO_CAPS;
            return UserAccess.CopyToUser(infoBytes[..writeSize], arg) != 0 ? -Errno.EFAULT : 0;
        }
    }

    /// <summary>iommufd_get_pagesizes: AND of the domains' page sizes (all ones without a domain),
    /// sub-page sizes folded into PAGE_SIZE, at least the IOAS alignment.</summary>
    private static ulong PageSizes(IommufdContext ctx, Ioas ioas)
    {
        ulong page = ctx.Platform.PageSize;
        ulong bitmap = ulong.MaxValue;
        foreach (Domains.IommuDomain domain in ioas.Iopt.Domains)
            bitmap &= domain.PgsizeBitmap;
        if ((bitmap & (page - 1)) != 0)
            bitmap = (bitmap & ~(page - 1)) | page;
        return Math.Max(bitmap, ioas.Iopt.IovaAlignment);
    }

    private static long FillDmaAvail(ulong cur, ulong avail)
    {
        var cap = new vfio_iommu_type1_info_dma_avail { avail = uint.MaxValue };
        cap.header.id = (ushort)Vfio.VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
        cap.header.version = 1;
        int size = Unsafe.SizeOf<vfio_iommu_type1_info_dma_avail>();
        if (avail >= (ulong)size && UserAccess.Put(cap, cur) != 0)
            return -Errno.EFAULT;
        return size;
    }

    private static long FillIovaRanges(Ioas ioas, ulong cur, ulong avail)
    {
        var cap = new vfio_iommu_type1_info_cap_iova_range();
        cap.header.id = (ushort)Vfio.VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
        cap.header.version = 1;
        ulong headerSize = (ulong)Unsafe.SizeOf<vfio_iommu_type1_info_cap_iova_range>();
        ulong rangeSize = (ulong)Unsafe.SizeOf<vfio_iova_range>();
        foreach (IovaRange hole in ioas.Iopt.ReservedHoles())
        {
            var range = new vfio_iova_range { start = hole.Start, end = hole.Last };
            if (avail >= headerSize + rangeSize * (cap.nr_iovas + 1UL) &&
                UserAccess.Put(range, cur + headerSize + rangeSize * cap.nr_iovas) != 0)
                return -Errno.EFAULT;
            cap.nr_iovas++;
        }
        if (avail >= headerSize + rangeSize * cap.nr_iovas && UserAccess.Put(cap, cur) != 0)
            return -Errno.EFAULT;
        return (long)(headerSize + rangeSize * cap.nr_iovas);
    }
}
