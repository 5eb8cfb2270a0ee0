using System.Runtime.CompilerServices;
using IommuFd.Engine.Dispatch;
using IommuFd.Engine.IoPageTable;
using MapFileCmd = IommuFd.Interop.Stable.iommu_ioas_map_file;
using ChangeProcessCmd = IommuFd.Interop.Stable.iommu_ioas_change_process;

namespace IommuFd.Engine.Handlers;

/// <summary>7.3's IOAS calls over files: IOMMU_IOAS_MAP_FILE (ioas.c iommufd_ioas_map_file,
/// io_pagetable.c iopt_map_file_pages) and IOMMU_IOAS_CHANGE_PROCESS (iommufd_ioas_change_process).</summary>
internal static class FileHandlers
{
    private const uint KnownFlags = (uint)(Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_WRITEABLE | Iommufd.IOMMU_IOAS_MAP_READABLE);
    private const uint AccessFlags = (uint)(Iommufd.IOMMU_IOAS_MAP_WRITEABLE | Iommufd.IOMMU_IOAS_MAP_READABLE);

    /// <summary>iommufd_ioas_map_file: IOAS_MAP's flag, overflow and protection checks, the IOAS, then
    /// iopt_map_file_pages.</summary>
    public static int MapFile(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref MapFileCmd cmd = ref ucmd.As<MapFileCmd>();
        if ((cmd.flags & ~KnownFlags) != 0)
            return -Errno.EOPNOTSUPP;
        if (cmd.iova >= ulong.MaxValue || cmd.length >= ulong.MaxValue)
            return -Errno.EOVERFLOW;
        if ((cmd.flags & AccessFlags) == 0)
            return -Errno.EINVAL;
        Ioas? ioas = ctx.GetIoas(cmd.ioas_id);
        if (ioas == null)
            return -Errno.ENOENT;

        ulong iova = cmd.iova;
        int rc = MapFilePages(ctx, ioas.Iopt, ref iova, cmd.fd, cmd.start, cmd.length, MapHandlers.ProtFromMapFlags(cmd.flags),
            allocIova: (cmd.flags & (uint)Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA) == 0);
        if (rc != 0)
            return rc;
        cmd.iova = iova;
        return ucmd.Respond(Unsafe.SizeOf<MapFileCmd>()); // on EFAULT the mapping stays
    }

    /// <summary>iopt_map_file_pages: length 0 (EINVAL) and a wrapping file range (EOVERFLOW) first, then
    /// fget (EBADF), then iopt_alloc_pages' length check (EINVAL) and the common map. Nothing is pinned
    /// unless a domain is attached: a file that cannot be pinned (not shmem, or the range past its
    /// end) fails only there, with memfd_pin_folios' EINVAL. The automatic IOVA follows the file offset.</summary>
    private static int MapFilePages(IommufdContext ctx, IoPageTable.IoPageTable iopt, ref ulong iova, int fd, ulong start, ulong length,
        IommuProt prot, bool allocIova)
    {
        ulong pageSize = ctx.Platform.PageSize;
        if (length == 0)
            return -Errno.EINVAL;
        if (start + (length - 1) < start)
            return -Errno.EOVERFLOW;
        ulong startByte = start % pageSize;
        int rc = MappedFile.Get(fd, ctx.Files, out MappedFile? file);
        if (rc != 0)
            return rc;
        if (length > ulong.MaxValue - pageSize)
        {
            file!.Dispose();
            return -Errno.EINVAL;
        }
        ulong npages = (length + startByte + pageSize - 1) / pageSize;
        var pages = new Pages(start - startByte, npages, (prot & IommuProt.Write) != 0, ctx.AccountModeForNewPages(), UserMm.Current, file);
        Span<PagesSlice> slices = [new PagesSlice(pages, startByte, length)];
        rc = iopt.MapPages(slices, length, ref iova, prot, allocIova);
        if (rc != 0)
            pages.Put(); // the list's reference: the last one, so the file goes
        return rc;
    }

    /// <summary>iommufd_ioas_change_process: every area of every IOAS must be populated (EBUSY) and of a
    /// file (EINVAL); then the pinned pages of each pages object charged to another process are charged
    /// to the caller (RLIMIT_MEMLOCK: ENOMEM, nothing changed) and uncharged from the old one, and every
    /// pages object's source_mm becomes the caller's.</summary>
    public static int ChangeProcess(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref ChangeProcessCmd cmd = ref ucmd.As<ChangeProcessCmd>();
        if (cmd.__reserved != 0)
            return -Errno.EOPNOTSUPP;

        var all = new List<Pages>();
        foreach (IommufdObject obj in ctx.Objects.Snapshot())
        {
            if (obj is not Ioas ioas)
                continue;
            foreach (Area area in ioas.Iopt.Areas())
            {
                if (area.Pages == null)
                    return -Errno.EBUSY;
                if (area.Pages.File == null)
                    return -Errno.EINVAL;
                if (!all.Contains(area.Pages))
                    all.Add(area.Pages);
            }
        }

        // need_charge_update: the engine's processes all run as one user, so a charge moves exactly
        // when the mm changes.
        UserMm current = UserMm.Current;
        List<Pages> moving = all.Where(p => p.AccountMode != PagesAccountMode.None && p.Mm != current).ToList();
        PagesAccountMode[] modes = [PagesAccountMode.User, PagesAccountMode.Mm];
        for (int m = 0; m < modes.Length; m++)
        {
            ulong npinned = (ulong)moving.Where(p => p.AccountMode == modes[m]).Sum(p => (long)p.PinnedPages);
            int rc = ctx.Pins.Charge(modes[m], npinned, ctx.Platform.PageSize);
            if (rc == 0)
                continue;
            for (int undo = 0; undo < m; undo++)
                ctx.Pins.Uncharge(modes[undo], (ulong)moving.Where(p => p.AccountMode == modes[undo]).Sum(p => (long)p.PinnedPages));
            return rc;
        }
        foreach (Pages pages in moving)
            ctx.Pins.Uncharge(pages.AccountMode, pages.PinnedPages);
        foreach (Pages pages in all)
            pages.Mm = current;
        return 0;
    }
}
