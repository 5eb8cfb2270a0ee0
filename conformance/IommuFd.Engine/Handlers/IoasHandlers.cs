using System.Runtime.CompilerServices;
using IommuFd.Engine.Dispatch;
using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Handlers;

/// <summary>IOMMU_IOAS_ALLOC, IOMMU_IOAS_IOVA_RANGES, IOMMU_IOAS_ALLOW_IOVAS.</summary>
internal static class IoasHandlers
{
    /// <summary>iommufd_ioas_alloc_ioctl: the ID is given back if the response cannot be written.</summary>
    public static int Alloc(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_ioas_alloc cmd = ref ucmd.As<iommu_ioas_alloc>();
        if (cmd.flags != 0)
            return -Errno.EOPNOTSUPP;
        var ioas = new Ioas(ctx.Platform, ctx.Pins);
        int rc = ctx.Objects.Allocate(ioas);
        if (rc != 0)
            return rc;
        cmd.out_ioas_id = ioas.Id;
        rc = ucmd.Respond(Unsafe.SizeOf<iommu_ioas_alloc>());
        if (rc != 0)
        {
            ctx.Objects.Abort(ioas);
            return rc;
        }
        ctx.Objects.Finalize(ioas);
        return 0;
    }

    /// <summary>iommufd_ioas_iova_ranges: holes of the reserved ranges; the first num_iovas are written
    /// to the array, the struct is written back, and EMSGSIZE follows if the array was too short.</summary>
    public static int IovaRanges(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_ioas_iova_ranges cmd = ref ucmd.As<iommu_ioas_iova_ranges>();
        if (cmd.__reserved != 0)
            return -Errno.EOPNOTSUPP;
        Ioas? ioas = ctx.GetIoas(cmd.ioas_id);
        if (ioas == null)
            return -Errno.ENOENT;

        uint max = cmd.num_iovas;
        ulong ranges = cmd.allowed_iovas;
        cmd.num_iovas = 0;
        cmd.out_iova_alignment = ioas.Iopt.IovaAlignment;
        int elementSize = Unsafe.SizeOf<iommu_iova_range>();
        foreach (IovaRange hole in ioas.Iopt.ReservedHoles())
        {
            if (cmd.num_iovas < max)
            {
                var elm = new iommu_iova_range { start = hole.Start, last = hole.Last };
                if (UserAccess.Put(elm, ranges + (ulong)cmd.num_iovas * (ulong)elementSize) != 0)
                    return -Errno.EFAULT;
            }
            cmd.num_iovas++;
        }
        int rc = ucmd.Respond(Unsafe.SizeOf<iommu_ioas_iova_ranges>());
        if (rc != 0)
            return rc;
        return cmd.num_iovas > max ? -Errno.EMSGSIZE : 0;
    }

    /// <summary>iommufd_ioas_allow_iovas: the whole new list is read and validated, then swapped in
    /// unless it hits a reserved range. No write-back.</summary>
    public static int AllowIovas(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_ioas_allow_iovas cmd = ref ucmd.As<iommu_ioas_allow_iovas>();
        if (cmd.__reserved != 0)
            return -Errno.EOPNOTSUPP;
        Ioas? ioas = ctx.GetIoas(cmd.ioas_id);
        if (ioas == null)
            return -Errno.ENOENT;

        // Sorted by start as they arrive; the kernel's interval tree gives the same intersection answers.
        var sorted = new List<IovaRange>();
        int elementSize = Unsafe.SizeOf<iommu_iova_range>();
        for (uint i = 0; i != cmd.num_iovas; i++)
        {
            if (UserAccess.Get(out iommu_iova_range range, cmd.allowed_iovas + (ulong)i * (ulong)elementSize) != 0)
                return -Errno.EFAULT;
            if (range.start >= range.last)
                return -Errno.EINVAL;
            int at = InsertionPoint(sorted, range.start);
            if ((at > 0 && sorted[at - 1].Last >= range.start) || (at < sorted.Count && sorted[at].Start <= range.last))
                return -Errno.EINVAL;
            sorted.Insert(at, new IovaRange(range.start, range.last));
        }
        return ioas.Iopt.SetAllowed([.. sorted]);
    }

    private static int InsertionPoint(List<IovaRange> sorted, ulong start)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid].Start < start) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
