using System.Runtime.CompilerServices;
using IommuFd.Engine.Dispatch;
using IommuFd.Engine.Domains;
using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Handlers;

/// <summary>Dirty tracking: IOMMU_HWPT_SET_DIRTY_TRACKING, IOMMU_HWPT_GET_DIRTY_BITMAP (hw_pagetable.c)
/// and the selftest's IOMMU_TEST_OP_DIRTY, which plays the device writing to memory.</summary>
internal static class DirtyHandlers
{
    /// <summary>iommufd_hwpt_set_dirty_tracking.</summary>
    public static int SetDirtyTracking(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_hwpt_set_dirty_tracking cmd = ref ucmd.As<iommu_hwpt_set_dirty_tracking>();
        const uint Enable = (uint)Iommufd.IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
        if ((cmd.flags & ~Enable) != 0)
            return -Errno.EOPNOTSUPP;
        if (ctx.Objects.Get(cmd.hwpt_id, ObjectType.HwptPaging) is not HwptPaging hwpt)
            return -Errno.ENOENT;
        return DirtyTracking.Set(hwpt.Ioas.Iopt, hwpt.Domain, (cmd.flags & Enable) != 0);
    }

    /// <summary>iommufd_hwpt_get_dirty_bitmap: nothing is written back to the struct.</summary>
    public static int GetDirtyBitmap(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_hwpt_get_dirty_bitmap cmd = ref ucmd.As<iommu_hwpt_get_dirty_bitmap>();
        const uint NoClear = (uint)Iommufd.IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
        if ((cmd.flags & ~NoClear) != 0 || cmd.__reserved != 0)
            return -Errno.EOPNOTSUPP;
        if (ctx.Objects.Get(cmd.hwpt_id, ObjectType.HwptPaging) is not HwptPaging hwpt)
            return -Errno.ENOENT;
        return DirtyTracking.ReadAndClear(hwpt.Ioas.Iopt, hwpt.Domain, cmd.iova, cmd.length, cmd.page_size, cmd.data,
            (cmd.flags & NoClear) != 0, ctx.Platform.PageSize, ctx.Options.DirtyBitmapReportsErrors);
    }

    /// <summary>iommufd_test_dirty: bit i of the user bitmap at uptr marks dirty the entry the kernel
    /// looks up at index (iova + i * page_size) / page_size of the domain's 2 KiB-page xarray, if the
    /// domain maps that index. The index is divided by page_size, not by the IO page size: for
    /// page_size 2 KiB (what the selftest passes) it is the IO page at that IOVA; for any other
    /// page_size it is the IO page at IOVA index * 2 KiB. out_nr_dirty counts the bits that found a
    /// mapped page (already dirty or not).</summary>
    public static int TestDirty(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_test_cmd cmd = ref ucmd.As<iommu_test_cmd>();
        ulong iova = cmd.dirty.iova, length = cmd.dirty.length, pageSize = cmd.dirty.page_size, uptr = cmd.dirty.uptr;
        if (pageSize == 0 || length == 0 || iova % pageSize != 0 || length % pageSize != 0 || uptr == 0)
            return -Errno.EINVAL;
        ulong max = length / pageSize;
        if (max > (16UL << 20) * 8)
            return -Errno.EOVERFLOW;
        if (ctx.Objects.Get(cmd.id, ObjectType.HwptPaging) is not HwptPaging hwpt)
            return -Errno.ENOENT;
        DirtyBits dirty = hwpt.Domain.Dirty;
        if (!dirty.Tracking)
            return -Errno.EINVAL;
        byte[] bits = new byte[(max + 7) / 8];
        if (UserAccess.CopyFromUser(bits, uptr) != 0)
            return -Errno.EFAULT;

        if (hwpt.Domain.Leaves is { } leaves)
        {
            cmd.dirty.out_nr_dirty = MarkLeaves(leaves, bits, max, iova, pageSize);
            return ucmd.Respond(Unsafe.SizeOf<iommu_test_cmd>());
        }
        var mapped = new MappedCursor(hwpt.Ioas.Iopt);
        ulong count = 0;
        for (ulong i = 0; i < max; i++)
        {
            if (bits[i / 8] == 0)
            {
                i |= 7; // a clear byte: on to the next one
                continue;
            }
            if ((bits[i / 8] & (1 << (int)(i % 8))) == 0)
                continue;
            ulong index = (iova + i * pageSize) / pageSize;
            if (index > ulong.MaxValue / MockIommu.IoPageSize)
                continue; // no entry can sit that high
            ulong entryIova = index * MockIommu.IoPageSize;
            if (!mapped.Maps(entryIova))
                continue;
            dirty.Mark(index);
            count++;
        }
        cmd.dirty.out_nr_dirty = count;
        return ucmd.Respond(Unsafe.SizeOf<iommu_test_cmd>());
    }

    /// <summary>7.3's iommufd_test_dirty: bit i sets the dirty bit of the item at IOVA iova + i * page_size
    /// (nothing where no leaf maps it), and out_nr_dirty counts every set bit.</summary>
    private static ulong MarkLeaves(PageTableLeaves leaves, byte[] bits, ulong max, ulong iova, ulong pageSize)
    {
        ulong count = 0;
        for (ulong i = 0; i < max; i++)
        {
            if (bits[i / 8] == 0)
            {
                i |= 7;
                continue;
            }
            if ((bits[i / 8] & (1 << (int)(i % 8))) == 0)
                continue;
            leaves.SetDirty(unchecked(iova + i * pageSize));
            count++;
        }
        return count;
    }

    /// <summary>Whether the domain maps an IOVA (an area with pages holds it), remembering the last area
    /// or hole seen: the bits of IOMMU_TEST_OP_DIRTY visit ascending IOVAs, up to 2^27 of them.</summary>
    private sealed class MappedCursor(IoPageTable.IoPageTable iopt)
    {
        private ulong _start = 1, _last; // the remembered span (empty at first)
        private bool _mapped;

        public bool Maps(ulong iova)
        {
            if (iova >= _start && iova <= _last)
                return _mapped;
            Area? area = iopt.FirstArea(iova, ulong.MaxValue);
            if (area != null && area.Start <= iova)
                (_start, _last, _mapped) = (area.Start, area.Last, area.Pages != null);
            else
                (_start, _last, _mapped) = (iova, area == null ? ulong.MaxValue : area.Start - 1, false);
            return _mapped;
        }
    }
}
