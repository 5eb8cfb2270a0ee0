using System.Runtime.CompilerServices;
using IommuFd.Engine.Devices;
using IommuFd.Engine.Dispatch;
using IommuFd.Engine.Domains;
using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Handlers;

/// <summary>The mock-device ops of IOMMU_TEST_CMD (selftest.c): MOCK_DOMAIN(_FLAGS), MOCK_DOMAIN_REPLACE,
/// MD_CHECK_MAP, MD_CHECK_REFS.</summary>
internal static class MockDomainHandlers
{
    /// <summary>iommufd_test_mock_domain: the selftest object's ID is reserved first, the device is bound
    /// (its ID published at once) and attached (an automatic HWPT takes the next ID). Any failure undoes
    /// all three, freeing the IDs.</summary>
    public static int MockDomain(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_test_cmd cmd = ref ucmd.As<iommu_test_cmd>();
        var sobj = new SelftestDevice(ctx);
        int rc = ctx.Objects.Allocate(sobj);
        if (rc != 0)
            return rc;
        uint devFlags = cmd.op == IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS ? cmd.mock_domain_flags.dev_flags : 0;
        if ((devFlags & ~MockIommu.KnownDeviceFlags(ctx.Options)) != 0)
        {
            ctx.Objects.Abort(sobj); // mock_dev_create
            return -Errno.EINVAL;
        }
        rc = DeviceAttach.Bind(ctx, devFlags, out Device? idev);
        if (rc != 0)
        {
            ctx.Objects.Abort(sobj);
            return rc;
        }
        uint ptId = cmd.id;
        rc = DeviceAttach.Attach(ctx, idev!, ref ptId);
        if (rc != 0)
        {
            DeviceAttach.Unbind(ctx, idev!);
            ctx.Objects.Abort(sobj);
            return rc;
        }
        cmd.mock_domain.out_hwpt_id = ptId;
        cmd.mock_domain.out_stdev_id = sobj.Id;
        cmd.mock_domain.out_idev_id = idev!.Id;
        rc = ucmd.Respond(Unsafe.SizeOf<iommu_test_cmd>());
        if (rc != 0)
        {
            DeviceAttach.Detach(ctx, idev);
            DeviceAttach.Unbind(ctx, idev);
            ctx.Objects.Abort(sobj);
            return rc;
        }
        sobj.Idev = idev;
        ctx.Objects.Finalize(sobj);
        return 0;
    }

    /// <summary>iommufd_test_mock_domain_replace: <c>id</c> must name a selftest object (ENOENT).</summary>
    public static int Replace(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_test_cmd cmd = ref ucmd.As<iommu_test_cmd>();
        if (ctx.Objects.Get(cmd.id, ObjectType.Selftest) is not SelftestDevice { Idev: { } idev })
            return -Errno.ENOENT;
        uint ptId = cmd.mock_domain_replace.pt_id;
        int rc = DeviceAttach.Replace(ctx, idev, ref ptId);
        if (rc != 0)
            return rc;
        cmd.mock_domain_replace.pt_id = ptId;
        return ucmd.Respond(Unsafe.SizeOf<iommu_test_cmd>());
    }

    /// <summary>iommufd_test_md_check_pa: every 2 KiB IO page of [iova, iova+length) must translate to the
    /// matching byte of [uptr, ...). The domain's content is the areas of its IOAS, and a translation
    /// equals the user page iff it is the same user VA. Each user page is looked up first (EFAULT).
    /// 6.12 checks the alignment (EINVAL) before the HWPT (ENOENT); 7.3 looks the HWPT up first, since
    /// the step is the domain's smallest page size (2 KiB for the default mock table).</summary>
    public static int CheckMap(IommufdContext ctx, uint hwptId, ulong iova, ulong length, ulong uptr)
    {
        const ulong Io = MockIommu.IoPageSize;
        bool misaligned = iova % Io != 0 || length % Io != 0 || uptr % Io != 0 || uptr + length < uptr;
        if (misaligned && !ctx.Options.Has73Uapi)
            return -Errno.EINVAL;
        if (ctx.Objects.Get(hwptId, ObjectType.HwptPaging) is not HwptPaging hwpt)
            return -Errno.ENOENT;
        if (misaligned)
            return -Errno.EINVAL;
        ulong page = ctx.Platform.PageSize;
        ulong firstPage = uptr & ~(page - 1);
        ulong span = length == 0 ? 0 : ((uptr + length - 1) & ~(page - 1)) + page - firstPage;
        ulong firstBad = FirstUnreadable(firstPage, span);
        IoPageTable.IoPageTable iopt = hwpt.Ioas.Iopt;
        SharedFileMappings maps = SharedFileMappings.OfCurrent();
        for (ulong done = 0; done < length; done += Io, iova += Io, uptr += Io)
        {
            if ((uptr & ~(page - 1)) >= firstBad)
                return -Errno.EFAULT;
            Area? area = iopt.FirstArea(iova, iova);
            if (area?.Pages is not { } pages || !maps.Shows(uptr, new PageName(pages.File?.Id, pages.Uptr + area.StartByteOf(iova))))
                return -Errno.EINVAL;
        }
        return 0;
    }

    /// <summary>iommufd_test_md_check_refs: every page of the range (PAGE_SIZE aligned) must hold exactly
    /// <paramref name="refs"/> long-term pins (EIO otherwise); compound (hugetlb) pages are not checked.</summary>
    public static int CheckRefs(IommufdContext ctx, ulong uptr, ulong length, uint refs)
    {
        ulong page = ctx.Platform.PageSize;
        if (length % page != 0 || uptr % page != 0 || uptr + length < uptr)
            return -Errno.EINVAL;
        ulong firstBad = FirstUnreadable(uptr, length);
        SharedFileMappings maps = SharedFileMappings.OfCurrent();
        for (ulong done = 0; done < length; done += page, uptr += page)
        {
            if (uptr >= firstBad)
                return -Errno.EFAULT;
            // A page shown by a shared file mapping also holds the pins taken through the file.
            int pins = ctx.Pins.Pins(uptr) + (maps.TryResolve(uptr, out FileIdentity file, out ulong offset) ? ctx.Pins.Pins(file, offset) : 0);
            if (pins != refs && !ProcessMappings.IsHugetlb(uptr))
                return -Errno.EIO;
        }
        return 0;
    }

    // get_user_pages_fast(read) of each page: the first page address that would fault, or MaxValue.
    private static ulong FirstUnreadable(ulong start, ulong length)
    {
        if (length == 0)
            return ulong.MaxValue;
        ulong readable = ProcessMappings.AccessiblePrefix(start, length, write: false);
        return readable >= length ? ulong.MaxValue : start + readable;
    }
}
