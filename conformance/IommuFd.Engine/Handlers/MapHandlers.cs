using System.Runtime.CompilerServices;
using IommuFd.Engine.Dispatch;
using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Handlers;

/// <summary>IOMMU_IOAS_MAP, IOMMU_IOAS_COPY, IOMMU_IOAS_UNMAP.</summary>
internal static class MapHandlers
{
    private const uint FixedIova = (uint)Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA;
    private const uint Writeable = (uint)Iommufd.IOMMU_IOAS_MAP_WRITEABLE;
    private const uint Readable = (uint)Iommufd.IOMMU_IOAS_MAP_READABLE;
    private const uint KnownFlags = FixedIova | Writeable | Readable;

    /// <summary>conv_iommu_prot: IOMMU_CACHE always, READ/WRITE from the flags.</summary>
    public static IommuProt ProtFromMapFlags(uint flags) =>
        IommuProt.Cache | ((flags & Writeable) != 0 ? IommuProt.Write : 0) | ((flags & Readable) != 0 ? IommuProt.Read : 0);

    /// <summary>iommufd_ioas_map.</summary>
    public static int Map(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_ioas_map cmd = ref ucmd.As<iommu_ioas_map>();
        if ((cmd.flags & ~KnownFlags) != 0 || cmd.__reserved != 0)
            return -Errno.EOPNOTSUPP;
        if (cmd.iova >= ulong.MaxValue || cmd.length >= ulong.MaxValue)
            return -Errno.EOVERFLOW;
        if ((cmd.flags & (Writeable | Readable)) == 0)
            return -Errno.EINVAL;
        Ioas? ioas = ctx.GetIoas(cmd.ioas_id);
        if (ioas == null)
            return -Errno.ENOENT;

        ulong iova = cmd.iova;
        int rc = MapUserPages(ctx, ioas.Iopt, ref iova, cmd.user_va, cmd.length, ProtFromMapFlags(cmd.flags),
            allocIova: (cmd.flags & FixedIova) == 0);
        if (rc != 0)
            return rc;
        cmd.iova = iova;
        return ucmd.Respond(Unsafe.SizeOf<iommu_ioas_map>()); // on EFAULT the mapping stays
    }

    /// <summary>iopt_map_user_pages: one new pages object for the user range, mapped as one area.</summary>
    public static int MapUserPages(IommufdContext ctx, IoPageTable.IoPageTable iopt, ref ulong iova, ulong uptr, ulong length,
        IommuProt prot, bool allocIova)
    {
        int rc = iopt.AllocPages(uptr, length, (prot & IommuProt.Write) != 0, ctx.AccountModeForNewPages(), out Pages? pages,
            wrapFirst: ctx.Options.UserPagesWrapCheckedFirst);
        if (rc != 0)
            return rc;
        Span<PagesSlice> slices = [new PagesSlice(pages!, uptr - pages!.Uptr, length)];
        return iopt.MapPages(slices, length, ref iova, prot, allocIova);
    }

    /// <summary>iommufd_ioas_copy: the source range must be covered by contiguous populated areas;
    /// the destination shares their pages.</summary>
    public static int Copy(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_ioas_copy cmd = ref ucmd.As<iommu_ioas_copy>();
        if (ctx.Options.IommufdTest)
            SelftestHandlers.SyzConvertIova(ctx, cmd.src_ioas_id, ref cmd.src_iova, ref cmd.flags);
        if ((cmd.flags & ~KnownFlags) != 0)
            return -Errno.EOPNOTSUPP;
        if (cmd.length >= ulong.MaxValue || cmd.src_iova >= ulong.MaxValue || cmd.dst_iova >= ulong.MaxValue)
            return -Errno.EOVERFLOW;
        if ((cmd.flags & (Writeable | Readable)) == 0)
            return -Errno.EINVAL;
        Ioas? src = ctx.GetIoas(cmd.src_ioas_id);
        if (src == null)
            return -Errno.ENOENT;
        List<PagesSlice> slices = ctx.ScratchSlices;
        slices.Clear();
        int rc = src.Iopt.GetPages(cmd.src_iova, cmd.length, slices);
        if (rc != 0)
            return rc;

        Ioas? dst = ctx.GetIoas(cmd.dst_ioas_id);
        if (dst == null)
        {
            ReleaseSlices(slices);
            return -Errno.ENOENT;
        }
        ulong iova = cmd.dst_iova;
        rc = dst.Iopt.MapPages(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(slices), cmd.length, ref iova, ProtFromMapFlags(cmd.flags), allocIova: (cmd.flags & FixedIova) == 0);
        if (rc != 0)
        {
            ReleaseSlices(slices);
            return rc;
        }
        slices.Clear();
        cmd.dst_iova = iova;
        return ucmd.Respond(Unsafe.SizeOf<iommu_ioas_copy>());
    }

    private static void ReleaseSlices(List<PagesSlice> slices)
    {
        foreach (PagesSlice s in slices)
            s.Pages.Put();
        slices.Clear();
    }

    /// <summary>iommufd_ioas_unmap: (0, U64_MAX) unmaps everything; otherwise the range must cover
    /// whole areas, and removing stops at the first that does not (areas before it stay removed).</summary>
    public static int Unmap(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_ioas_unmap cmd = ref ucmd.As<iommu_ioas_unmap>();
        Ioas? ioas = ctx.GetIoas(cmd.ioas_id);
        if (ioas == null)
            return -Errno.ENOENT;
        ulong unmapped;
        int rc;
        if (cmd.iova == 0 && cmd.length == ulong.MaxValue)
        {
            rc = ioas.Iopt.UnmapAll(out unmapped);
            if (rc != 0)
                return rc;
        }
        else
        {
            if (cmd.iova >= ulong.MaxValue || cmd.length >= ulong.MaxValue)
                return -Errno.EOVERFLOW;
            rc = ioas.Iopt.Unmap(cmd.iova, cmd.length, out unmapped);
            if (rc != 0)
                return rc;
            if (unmapped == 0)
                return -Errno.ENOENT;
        }
        cmd.length = unmapped;
        return ucmd.Respond(Unsafe.SizeOf<iommu_ioas_unmap>());
    }
}
