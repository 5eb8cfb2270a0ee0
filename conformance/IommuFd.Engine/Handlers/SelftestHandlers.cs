using IommuFd.Engine.Dispatch;
using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Handlers;

/// <summary>IOMMU_TEST_CMD of a CONFIG_IOMMUFD_TEST kernel (selftest.c).</summary>
internal static class SelftestHandlers
{
    public static int TestCmd(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_test_cmd cmd = ref ucmd.As<iommu_test_cmd>();
        switch (cmd.op)
        {
            case IommufdTest.IOMMU_TEST_OP_ADD_RESERVED:
                return AddReserved(ctx, cmd.id, cmd.add_reserved.start, cmd.add_reserved.length);
            case IommufdTest.IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
                // Only resizes the kernel's batch buffer; below sizeof(long)+sizeof(u32) is refused.
                return cmd.memory_limit.limit < sizeof(ulong) + sizeof(uint) ? -Errno.EINVAL : 0;
            case IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN:
            case IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
                return MockDomainHandlers.MockDomain(ctx, ref ucmd);
            case IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
                return MockDomainHandlers.Replace(ctx, ref ucmd);
            case IommufdTest.IOMMU_TEST_OP_MD_CHECK_MAP:
                return MockDomainHandlers.CheckMap(ctx, cmd.id, cmd.check_map.iova, cmd.check_map.length, cmd.check_map.uptr);
            case IommufdTest.IOMMU_TEST_OP_MD_CHECK_REFS:
                return MockDomainHandlers.CheckRefs(ctx, cmd.check_refs.uptr, cmd.check_refs.length, cmd.check_refs.refs);
            case IommufdTest.IOMMU_TEST_OP_MD_CHECK_IOTLB:
                return NestedHwptHandlers.CheckIotlb(ctx, cmd.id, cmd.check_iotlb.id, cmd.check_iotlb.iotlb);
            case IommufdTest.IOMMU_TEST_OP_DIRTY:
                return DirtyHandlers.TestDirty(ctx, ref ucmd);
            case IommufdTest.IOMMU_TEST_OP_TRIGGER_IOPF:
                return IopfHandlers.TriggerIopf(ctx, cmd.trigger_iopf.dev_id, cmd.trigger_iopf.pasid, cmd.trigger_iopf.grpid,
                    cmd.trigger_iopf.perm, cmd.trigger_iopf.addr);
            case IommufdTest.IOMMU_TEST_OP_CREATE_ACCESS:
                return AccessHandlers.Create(ctx, ref ucmd);
            case IommufdTest.IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
                return AccessHandlers.ReplaceIoas(ctx, ref ucmd);
            case IommufdTest.IOMMU_TEST_OP_ACCESS_PAGES:
                return AccessHandlers.Pages(ctx, ref ucmd);
            case IommufdTest.IOMMU_TEST_OP_ACCESS_RW:
                return AccessHandlers.ReadWrite(ctx, ref ucmd);
            case IommufdTest.IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
                return AccessHandlers.DestroyPages(ctx, ref ucmd);
            case DevCheckCache when ctx.Options.Has73Uapi:
                // check_dev_cache {u32 id, u32 cache} shares its bytes with check_map's iova.
                return ViommuHandlers.CheckDeviceCache(ctx, cmd.id, (uint)cmd.check_map.iova, (uint)(cmd.check_map.iova >> 32));
            case > DevCheckCache and <= DmabufRevoke when ctx.Options.Has73Uapi:
                return Ops73(ctx, cmd.op, cmd.id, (uint)cmd.check_map.iova, (uint)(cmd.check_map.iova >> 32));
            default:
                return -Errno.EOPNOTSUPP;
        }
    }

    // 7.3's test ops after IOMMU_TEST_OP_TRIGGER_IOPF (15): DEV_CHECK_CACHE, TRIGGER_VEVENT,
    // PASID_ATTACH/REPLACE/DETACH/CHECK_HWPT, DMABUF_GET, DMABUF_REVOKE.
    private const uint DevCheckCache = 16, DmabufRevoke = 23;

    private const uint TriggerVevent = 17, PasidAttach = 18, PasidReplace = 19, PasidDetach = 20, PasidCheckHwpt = 21, DmabufGet = 22;

    /// <summary>7.3's vEvent, PASID and dma-buf test ops as far as the engine's objects reach: it has no
    /// PASID attachment and no dma-buf (PASID_ATTACH/REPLACE of a real device and DMABUF_GET of a valid
    /// length answer ENOSYS: not modelled yet; DMABUF_REVOKE is dma_buf_get's EBADF or EINVAL). The union's first
    /// two u32 (<paramref name="first"/>, <paramref name="second"/>) are dev_id, pasid/pt_id, pasid/hwpt_id
    /// or length/open_flags by op.</summary>
    private static int Ops73(IommufdContext ctx, uint op, uint id, uint first, uint second)
    {
        switch (op)
        {
            case TriggerVevent: // trigger_vevent {u32 dev_id}
                return ViommuHandlers.TriggerVevent(ctx, first);
            case PasidAttach or PasidReplace or PasidDetach or PasidCheckHwpt:
                if (ctx.Objects.Get(id, ObjectType.Selftest) is not SelftestDevice { Idev: { } idev })
                    return -Errno.ENOENT; // iommufd_test_get_selftest_obj
                if (op == PasidDetach)
                {
                    // iommufd_device_detach: PASID 0 is the RID, whose HWPT loses the device (an automatic
                    // one is destroyed with it); any other PASID was never attached here, nothing to do.
                    if (first == 0)
                        Devices.DeviceAttach.Detach(ctx, idev);
                    return 0;
                }
                if (op == PasidCheckHwpt)
                    return CheckPasidHwpt(ctx, idev, first, second);
                return -Errno.ENOSYS;
            case DmabufGet:
                ulong length = ((ulong)first + 4095) & ~4095UL;
                return length == 0 || length > 512 * 4096UL ? -Errno.EINVAL : -Errno.ENOSYS;
            case DmabufRevoke:
                // iommufd_test_dmabuf_revoke → dma_buf_get: no open file EBADF, a file that is not a dma-buf EINVAL.
                int rc = IoPageTable.MappedFile.Get((int)first, ctx.Files, out IoPageTable.MappedFile? file);
                file?.Dispose();
                return rc != 0 ? rc : -Errno.EINVAL;
            default:
                return -Errno.ENOSYS;
        }
    }

    /// <summary>iommufd_test_pasid_check_hwpt: the domain attached at the PASID (the RID's attachment at
    /// IOMMU_NO_PASID, nothing at any other PASID here) against hwpt_id's (0: must be nothing; else an
    /// HWPT, ENOENT for no object and EINVAL for another type, and EINVAL when it is not the one).</summary>
    private static int CheckPasidHwpt(IommufdContext ctx, Device idev, uint pasid, uint hwptId)
    {
        Hwpt? attached = pasid == 0 ? idev.Hwpt : null;
        if (hwptId == 0)
            return attached == null ? 0 : -Errno.EINVAL;
        switch (ctx.Objects.Get(hwptId, ObjectType.Any))
        {
            case null:
                return -Errno.ENOENT;
            case Hwpt hwpt:
                return ReferenceEquals(hwpt, attached) ? 0 : -Errno.EINVAL;
            default:
                return -Errno.EINVAL;
        }
    }

    /// <summary>iommufd_test_add_reserved: a reserved range without owner.</summary>
    private static int AddReserved(IommufdContext ctx, uint ioasId, ulong start, ulong length)
    {
        if (length == 0)
            return -Errno.EINVAL;
        if (start + (length - 1) < start)
            return -Errno.EOVERFLOW;
        Ioas? ioas = ctx.GetIoas(ioasId);
        if (ioas == null)
            return -Errno.ENOENT;
        return ioas.Iopt.ReserveIova(start, start + (length - 1), owner: null);
    }

    /// <summary>iommufd_test_syz_conv_iova_id: with MOCK_FLAGS_ACCESS_SYZ the flag is cleared and
    /// the IOVA is read as {u32 nth_area, u32 offset} of the IOAS (0 when there is no such area).</summary>
    public static void SyzConvertIova(IommufdContext ctx, uint ioasId, ref ulong iova, ref uint flags)
    {
        if ((flags & IommufdTest.MOCK_FLAGS_ACCESS_SYZ) == 0)
            return;
        flags &= ~IommufdTest.MOCK_FLAGS_ACCESS_SYZ;
        Ioas? ioas = ctx.GetIoas(ioasId);
        if (ioas != null)
            iova = SyzIova(ioas.Iopt, iova);
    }

    /// <summary>__iommufd_test_syz_conv_iova: {u32 nth_area, u32 offset} → that area's IOVA + offset, or 0.</summary>
    public static ulong SyzIova(IoPageTable.IoPageTable iopt, ulong iova)
    {
        uint nth = (uint)iova, offset = (uint)(iova >> 32);
        foreach (Area area in iopt.Areas())
        {
            if (nth == 0)
                return area.Start + offset;
            nth--;
        }
        return 0;
    }
}
