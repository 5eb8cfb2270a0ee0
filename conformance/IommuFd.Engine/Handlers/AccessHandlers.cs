using System.Runtime.CompilerServices;
using IommuFd.Engine.Dispatch;
using IommuFd.Engine.Files;

namespace IommuFd.Engine.Handlers;

/// <summary>The access ops of IOMMU_TEST_CMD (selftest.c): CREATE_ACCESS, ACCESS_REPLACE_IOAS,
/// ACCESS_PAGES, DESTROY_ACCESS_PAGES, ACCESS_RW. Every op but CREATE_ACCESS names the access by
/// its fd in <c>id</c> (EBADFD when that fd is not an access fd). The access may belong to another
/// iommufd than the one the ioctl came in on: its own context is locked too.</summary>
internal static class AccessHandlers
{
    /// <summary>Both ops refuse more than 16 MiB with ENOMEM before anything else (kvzalloc's WARN).</summary>
    private const ulong MaxLength = 16 * 1024 * 1024;

    /// <summary>iommufd_test_create_access: flags (EOPNOTSUPP), an fd number (ENOMEM when none is free),
    /// the access object (its ID is published at once and freed again on failure), the attach to the
    /// IOAS in <c>id</c> (ENOENT; EADDRINUSE when a pinning access does not fit the areas' alignment),
    /// the write-back (EFAULT), and only then the fd is installed.</summary>
    public static int Create(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_test_cmd cmd = ref ucmd.As<iommu_test_cmd>();
        uint flags = cmd.create_access.flags;
        if ((flags & ~IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES) != 0)
            return -Errno.EOPNOTSUPP;
        int fd = ctx.Files.Reserve();
        if (fd < 0)
            return -Errno.ENOMEM;
        var file = new AccessFile(ctx);
        var access = new Access(ctx, (flags & IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES) != 0, file.Unmap);
        int rc = ctx.Objects.Allocate(access);
        if (rc != 0)
        {
            ctx.Files.Unreserve(fd);
            return rc;
        }
        access.Users++; // the driver's reference, until iommufd_access_destroy
        ctx.Get();
        ctx.Objects.Finalize(access);
        rc = access.Attach(cmd.id);
        if (rc == 0)
        {
            cmd.create_access.out_access_fd = (uint)fd;
            rc = ucmd.Respond(Unsafe.SizeOf<iommu_test_cmd>());
        }
        if (rc != 0)
        {
            _ = ctx.Objects.RemoveHeld(access);
            ctx.Put();
            ctx.Files.Unreserve(fd);
            return rc;
        }
        file.Access = access;
        ctx.Files.Install(fd, file);
        return 0;
    }

    /// <summary>iommufd_test_access_replace_ioas.</summary>
    public static int ReplaceIoas(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_test_cmd cmd = ref ucmd.As<iommu_test_cmd>();
        if (Lookup(ctx, cmd.id) is not { } file)
            return -Errno.EBADFD;
        lock (file.Context.Lock)
            return file.Access!.Replace(cmd.access_replace_ioas.ioas_id);
    }

    /// <summary>iommufd_test_access_pages: pins through the access and records the pin as an item.
    /// With a non-zero uptr the pinned pages must be the pages of that user memory (get_user_pages
    /// of each: EFAULT; a different page: EBADE). The item's ID is written back.</summary>
    public static int Pages(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_test_cmd cmd = ref ucmd.As<iommu_test_cmd>();
        ulong iova = cmd.access_pages.iova, length = cmd.access_pages.length, uptr = cmd.access_pages.uptr;
        uint flags = cmd.access_pages.flags;
        if (length > MaxLength)
            return -Errno.ENOMEM;
        if ((flags & ~(IommufdTest.MOCK_FLAGS_ACCESS_WRITE | IommufdTest.MOCK_FLAGS_ACCESS_SYZ)) != 0)
            return -Errno.EOPNOTSUPP;
        if (Lookup(ctx, cmd.id) is not { } file)
            return -Errno.EBADFD;
        lock (file.Context.Lock)
        {
            Access access = file.Access!;
            if (!access.NeedsPinPages)
                return -Errno.EOPNOTSUPP;
            if ((flags & IommufdTest.MOCK_FLAGS_ACCESS_SYZ) != 0)
                iova = access.Ioas == null ? 0 : SelftestHandlers.SyzIova(access.Ioas.Iopt, iova);

            var pageVas = new List<PageName>();
            int rc = access.PinPages(iova, length, (flags & IommufdTest.MOCK_FLAGS_ACCESS_WRITE) != 0, pageVas);
            if (rc != 0)
                return rc;
            if (uptr != 0)
                rc = CheckPages(ctx.Platform.PageSize, uptr, iova, length, pageVas);
            if (rc == 0)
            {
                cmd.access_pages.out_access_pages_id = file.AddItem(iova, length);
                rc = ucmd.Respond(Unsafe.SizeOf<iommu_test_cmd>());
                if (rc != 0)
                    file.DropLastItem();
            }
            if (rc != 0)
                access.UnpinPages(iova, length);
            return rc;
        }
    }

    /// <summary>iommufd_test_check_pages: page k of the pin (counted from iova's page) against
    /// get_user_pages_fast of uptr - (iova % PAGE_SIZE) + k pages (a user page by its VA, a file page
    /// through the shared mapping of its file there).</summary>
    private static int CheckPages(ulong pageSize, ulong uptr, ulong iova, ulong length, List<PageName> pageVas)
    {
        SharedFileMappings maps = SharedFileMappings.OfCurrent();
        ulong first = iova & ~(pageSize - 1);
        ulong npages = (((iova + length + pageSize - 1) & ~(pageSize - 1)) - first) / pageSize;
        ulong user = uptr - (iova - first);
        for (ulong k = 0; k < npages; k++, user += pageSize)
        {
            ulong page = user & ~(pageSize - 1);
            if (ProcessMappings.AccessiblePrefix(page, pageSize, write: false) < pageSize)
                return -Errno.EFAULT;
            if (k >= (ulong)pageVas.Count || !maps.Shows(page, pageVas[(int)k]))
                return -Errno.EBADE;
        }
        return 0;
    }

    /// <summary>iommufd_test_access_item_destroy: ENOENT for an unknown (or already unpinned) item.</summary>
    public static int DestroyPages(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_test_cmd cmd = ref ucmd.As<iommu_test_cmd>();
        if (Lookup(ctx, cmd.id) is not { } file)
            return -Errno.EBADFD;
        lock (file.Context.Lock)
            return file.DestroyItem(cmd.destroy_access_pages.access_pages_id) ? 0 : -Errno.ENOENT;
    }

    /// <summary>iommufd_test_access_rw: a write reads the user buffer first (EFAULT), a read writes it
    /// last (EFAULT after a successful access). Nothing is written back into the command.</summary>
    public static int ReadWrite(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_test_cmd cmd = ref ucmd.As<iommu_test_cmd>();
        ulong iova = cmd.access_rw.iova, length = cmd.access_rw.length, uptr = cmd.access_rw.uptr;
        uint flags = cmd.access_rw.flags;
        if (length > MaxLength)
            return -Errno.ENOMEM;
        if ((flags & ~(IommufdTest.MOCK_ACCESS_RW_WRITE | IommufdTest.MOCK_ACCESS_RW_SLOW_PATH | IommufdTest.MOCK_FLAGS_ACCESS_SYZ)) != 0)
            return -Errno.EOPNOTSUPP;
        if (Lookup(ctx, cmd.id) is not { } file)
            return -Errno.EBADFD;
        bool write = (flags & IommufdTest.MOCK_ACCESS_RW_WRITE) != 0;
        byte[] data = new byte[length];
        if (write && UserAccess.CopyFromUser(data, uptr) != 0)
            return -Errno.EFAULT;
        int rc;
        lock (file.Context.Lock)
        {
            Access access = file.Access!;
            if ((flags & IommufdTest.MOCK_FLAGS_ACCESS_SYZ) != 0)
                iova = access.Ioas == null ? 0 : SelftestHandlers.SyzIova(access.Ioas.Iopt, iova);
            rc = access.ReadWrite(iova, data, flags);
        }
        if (rc != 0)
            return rc;
        if (!write && UserAccess.CopyToUser(data, uptr) != 0)
            return -Errno.EFAULT;
        return 0;
    }

    /// <summary>iommufd_access_get: fget of the fd, which must be an access fd.</summary>
    private static AccessFile? Lookup(IommufdContext ctx, uint fd) => ctx.Files.Get((int)fd) as AccessFile;
}
