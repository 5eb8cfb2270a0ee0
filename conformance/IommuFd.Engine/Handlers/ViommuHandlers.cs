using System.Runtime.CompilerServices;
using IommuFd.Engine.Dispatch;
using IommuFd.Engine.Domains;
using IommuFd.Engine.Files;
using Stable = IommuFd.Interop.Stable;

namespace IommuFd.Engine.Handlers;

/// <summary>7.3's vIOMMU commands for the selftest's mock driver (viommu.c, eventq.c, selftest.c):
/// IOMMU_VIOMMU_ALLOC, IOMMU_VDEVICE_ALLOC, IOMMU_VEVENTQ_ALLOC, IOMMU_HW_QUEUE_ALLOC, the vIOMMU
/// branch of IOMMU_HWPT_INVALIDATE and the test ops TRIGGER_VEVENT and DEV_CHECK_CACHE.</summary>
internal static class ViommuHandlers
{
    private const uint VeventqTypeSelftest = 0xbeefbeef;    // IOMMU_VEVENTQ_TYPE_SELFTEST
    private const uint VeventqMaxDepth = 1u << 19;          // VEVENTQ_MAX_DEPTH
    private const uint HwQueueTypeSelftest = 0xdeadbeef;    // IOMMU_HW_QUEUE_TYPE_SELFTEST
    private const uint InvalidateDataSelftest = 0xdeadbeef; // IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST
    private const int InvalidateEntrySize = 12;             // sizeof(struct iommu_viommu_invalidate_selftest)
    private const int SelftestDataSize = 24;                // sizeof(struct iommu_viommu_selftest)
    private const int SelftestDataMin = 8;                  // offsetofend(struct iommu_viommu_selftest, out_data)

    /// <summary>iommufd_viommu_alloc_ioctl: flags and the DEFAULT type (EOPNOTSUPP), the device (ENOENT),
    /// a type the driver has (only SELFTEST: EOPNOTSUPP), a paging HWPT (ENOENT) that is a nesting parent
    /// (EINVAL); then the object (a users reference on the parent) and mock_viommu_init with the driver
    /// data, if any.</summary>
    public static int ViommuAlloc(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref Stable.iommu_viommu_alloc cmd = ref ucmd.As<Stable.iommu_viommu_alloc>();
        if (cmd.flags != 0 || cmd.type == 0)
            return -Errno.EOPNOTSUPP;
        if (ctx.Objects.Get(cmd.dev_id, ObjectType.Device) is not Device)
            return -Errno.ENOENT;
        if (cmd.type != Viommu.TypeSelftest)
            return -Errno.EOPNOTSUPP; // mock_get_viommu_size
        if (ctx.Objects.Get(cmd.hwpt_id, ObjectType.HwptPaging) is not HwptPaging parent)
            return -Errno.ENOENT;
        if (!parent.NestParent)
            return -Errno.EINVAL;

        var viommu = new Viommu(ctx, parent);
        int rc = ctx.Objects.Allocate(viommu);
        if (rc != 0)
            return rc;
        parent.Users++;
        rc = cmd.data_len != 0 ? InitWithData(ctx, viommu, new UserData(cmd.type, cmd.data_uptr, cmd.data_len)) : 0;
        if (rc == 0)
        {
            cmd.out_viommu_id = viommu.Id;
            rc = ucmd.Respond(Unsafe.SizeOf<Stable.iommu_viommu_alloc>());
        }
        return FinalizeOrAbort(ctx, viommu, rc);
    }

    /// <summary>mock_viommu_init with struct iommu_viommu_selftest: copied in (8 to 24 bytes), two pages
    /// that the iommufd fd maps at a new offset, and out_data = in_data, the offset and the length
    /// copied back.</summary>
    private static int InitWithData(IommufdContext ctx, Viommu viommu, UserData data)
    {
        Span<byte> cfg = stackalloc byte[SelftestDataSize];
        int rc = data.CopyStruct(cfg, Viommu.TypeSelftest, SelftestDataMin);
        if (rc != 0)
            return rc;
        ulong length = 2 * ctx.Platform.PageSize;
        viommu.MmapOffset = ctx.Mmaps.Allocate(length);
        cfg[..4].CopyTo(cfg[4..8]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(cfg[8..], viommu.MmapOffset);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(cfg[16..], length);
        // iommu_copy_struct_to_user: the user's length, which the copy in already bounded.
        if (UserAccess.CopyToUser(cfg[..(int)data.Length], data.Uptr) != 0)
        {
            ctx.Mmaps.Free(viommu.MmapOffset);
            viommu.MmapOffset = 0;
            return -Errno.EFAULT;
        }
        return 0;
    }

    /// <summary>iommufd_vdevice_alloc_ioctl: the vIOMMU (ENOENT), the device (ENOENT), a device with a
    /// vDEVICE already (EEXIST); then the object, whose virtual ID must be free in the vIOMMU (EEXIST,
    /// after its object ID was taken). On success the device keeps the reference the lookup took.</summary>
    public static int VdeviceAlloc(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref Stable.iommu_vdevice_alloc cmd = ref ucmd.As<Stable.iommu_vdevice_alloc>();
        if (ctx.Objects.Get(cmd.viommu_id, ObjectType.Viommu) is not Viommu viommu)
            return -Errno.ENOENT;
        if (ctx.Objects.Get(cmd.dev_id, ObjectType.Device) is not Device idev)
            return -Errno.ENOENT;
        if (idev.Vdev != null)
            return -Errno.EEXIST;

        var vdev = new Vdevice(viommu, idev, cmd.virt_id);
        int rc = ctx.Objects.Allocate(vdev);
        if (rc != 0)
            return rc;
        viommu.Users++;
        idev.Users++;
        idev.Vdev = vdev;
        if (!viommu.Vdevs.TryAdd(cmd.virt_id, vdev))
            rc = -Errno.EEXIST;
        else
        {
            cmd.out_vdevice_id = vdev.Id;
            rc = ucmd.Respond(Unsafe.SizeOf<Stable.iommu_vdevice_alloc>());
        }
        return FinalizeOrAbort(ctx, vdev, rc);
    }

    /// <summary>iommufd_veventq_alloc: flags, __reserved and the DEFAULT type (EOPNOTSUPP), a depth in
    /// [1, 2^19] (EINVAL), the vIOMMU (ENOENT), one queue per type (EEXIST); any other type is taken.
    /// Then the object (a users reference on the vIOMMU) and its fd, as for a fault queue.</summary>
    public static int VeventqAlloc(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref Stable.iommu_veventq_alloc cmd = ref ucmd.As<Stable.iommu_veventq_alloc>();
        if (cmd.flags != 0 || cmd.__reserved != 0 || cmd.type == 0)
            return -Errno.EOPNOTSUPP;
        if (cmd.veventq_depth == 0 || cmd.veventq_depth > VeventqMaxDepth)
            return -Errno.EINVAL;
        if (ctx.Objects.Get(cmd.viommu_id, ObjectType.Viommu) is not Viommu viommu)
            return -Errno.ENOENT;
        uint type = cmd.type;
        if (viommu.Veventqs.Exists(q => q.EventType == type))
            return -Errno.EEXIST;

        var queue = new VeventQueue(viommu, cmd.type, cmd.veventq_depth);
        int rc = ctx.Objects.Allocate(queue);
        if (rc != 0)
            return rc;
        viommu.Users++;
        viommu.Veventqs.Add(queue);
        cmd.out_veventq_id = queue.Id;
        return EventQueueFd(ctx, ref ucmd, queue, ref cmd.out_veventq_fd, Unsafe.SizeOf<Stable.iommu_veventq_alloc>());
    }

    /// <summary>iommufd_eventq_init and the rest of an event queue's allocation: the fd (holding a users
    /// reference on the queue and one on the context), the answer, then the object published and the fd
    /// installed; on failure the fd's release and the object's abort undo it all.</summary>
    public static int EventQueueFd(IommufdContext ctx, ref UserCommand ucmd, EventQueue queue, ref uint outFd, int responseSize)
    {
        queue.Users++;
        ctx.Get();
        int fd = ctx.Files.Reserve();
        int rc = fd;
        if (fd >= 0)
        {
            outFd = (uint)fd;
            rc = ucmd.Respond(responseSize);
            if (rc == 0)
            {
                ctx.Objects.Finalize(queue);
                ctx.Files.Install(fd, new EventQueueFile(ctx, queue));
                return 0;
            }
            ctx.Files.Unreserve(fd);
        }
        queue.Users--; // the abort fputs the file: its release drops both references
        ctx.Objects.Abort(queue);
        ctx.Put();
        return rc;
    }

    /// <summary>iommufd_hw_queue_alloc_ioctl: flags and the DEFAULT type (EOPNOTSUPP), length 0 (EINVAL),
    /// a wrapping range (EOVERFLOW), the vIOMMU (ENOENT), a type the driver has (only SELFTEST:
    /// EOPNOTSUPP); then the object, the internal access pinning the queue's pages in the parent's IOAS
    /// (iommufd_hw_queue_alloc_phys) and mock_hw_queue_init_phys.</summary>
    public static int HwQueueAlloc(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref Stable.iommu_hw_queue_alloc cmd = ref ucmd.As<Stable.iommu_hw_queue_alloc>();
        if (cmd.flags != 0 || cmd.type == 0)
            return -Errno.EOPNOTSUPP;
        if (cmd.length == 0)
            return -Errno.EINVAL;
        if (cmd.nesting_parent_iova + (cmd.length - 1) < cmd.nesting_parent_iova)
            return -Errno.EOVERFLOW;
        if (ctx.Objects.Get(cmd.viommu_id, ObjectType.Viommu) is not Viommu viommu)
            return -Errno.ENOENT;
        if (cmd.type != HwQueueTypeSelftest)
            return -Errno.EOPNOTSUPP; // mock_viommu_get_hw_queue_size

        var queue = new HwQueue(ctx);
        int rc = ctx.Objects.Allocate(queue);
        if (rc != 0)
            return rc;
        rc = PinQueue(ctx, viommu, cmd.nesting_parent_iova, cmd.length, out Access? access);
        if (rc == 0)
        {
            queue.Viommu = viommu;
            viommu.Users++;
            queue.Access = access;
            queue.BaseIova = cmd.nesting_parent_iova;
            queue.Length = cmd.length;
            rc = InitQueue(viommu, queue, cmd.index);
        }
        if (rc == 0)
        {
            cmd.out_hw_queue_id = queue.Id;
            rc = ucmd.Respond(Unsafe.SizeOf<Stable.iommu_hw_queue_alloc>());
        }
        return FinalizeOrAbort(ctx, queue, rc);
    }

    /// <summary>iommufd_hw_queue_alloc_phys: the whole pages around the queue (ERANGE when that length
    /// wraps) pinned by a new internal access (its own object ID) attached to the parent's IOAS; a gap is
    /// ENOENT; the pages must be physically contiguous (EFAULT). As everywhere in the engine, ordinary pages
    /// are never physically contiguous with each other and a hugetlb page is one contiguous 2 MiB run.</summary>
    private static int PinQueue(IommufdContext ctx, Viommu viommu, ulong iova, ulong length, out Access? access)
    {
        access = null;
        ulong pageSize = ctx.Platform.PageSize;
        ulong aligned = iova & ~(pageSize - 1);
        ulong span = length + (iova - aligned);
        if (span < length || span + (pageSize - 1) < span)
            return -Errno.ERANGE;
        span = (span + (pageSize - 1)) & ~(pageSize - 1);

        var internalAccess = new Access(ctx, needsPinPages: true, unmap: (_, _) => { }, isInternal: true);
        int rc = ctx.Objects.Allocate(internalAccess);
        if (rc != 0)
            return rc;
        internalAccess.Users++; // the driver's, until iommufd_access_destroy_internal
        ctx.Objects.Finalize(internalAccess);
        rc = internalAccess.Attach(viommu.Hwpt.Ioas.Id);
        if (rc == 0)
        {
            var pages = new List<PageName>();
            rc = internalAccess.PinPages(aligned, span, write: false, pages);
            if (rc == 0 && !PhysicallyContiguous(pages, pageSize))
            {
                internalAccess.UnpinPages(aligned, span);
                rc = -Errno.EFAULT;
            }
        }
        if (rc != 0)
        {
            _ = ctx.Objects.RemoveHeld(internalAccess);
            return rc;
        }
        access = internalAccess;
        return 0;
    }

    private const ulong HugePageSize = 2UL << 20;

    /// <summary>One page, or consecutive pages of user memory inside one hugetlb page (file pages, like
    /// ordinary ones, are never taken as physically contiguous).</summary>
    private static bool PhysicallyContiguous(List<PageName> pages, ulong pageSize)
    {
        if (pages.Count <= 1)
            return true;
        ulong first = pages[0].Address;
        for (int i = 0; i < pages.Count; i++)
        {
            ulong address = pages[i].Address;
            if (pages[i].File != null || address != first + (ulong)i * pageSize
                || (address & ~(HugePageSize - 1)) != (first & ~(HugePageSize - 1)))
                return false;
        }
        return ProcessMappings.IsHugetlb(first);
    }

    /// <summary>mock_hw_queue_init_phys: an index below IOMMU_TEST_HW_QUEUE_MAX (EINVAL), free (EEXIST),
    /// and past 0 only with the queue below in place (EIO), on which it then depends.</summary>
    private static int InitQueue(Viommu viommu, HwQueue queue, uint index)
    {
        if (index >= Viommu.HwQueueMax)
            return -Errno.EINVAL;
        if (viommu.HwQueues[index] != null)
            return -Errno.EEXIST;
        HwQueue? prev = index > 0 ? viommu.HwQueues[index - 1] : null;
        if (index > 0 && prev == null)
            return -Errno.EIO;
        if (prev != null)
            prev.Users++; // iommufd_hw_queue_depend
        queue.Prev = prev;
        queue.Index = (int)index;
        viommu.HwQueues[index] = queue;
        return 0;
    }

    /// <summary>mock_viommu_cache_invalidate (the vIOMMU branch of IOMMU_HWPT_INVALIDATE): zero entries of
    /// the selftest type just check the type; otherwise the whole array is copied first (wrong type or no
    /// entries: EINVAL; entry_len other than 12 copied entry by entry, a non-zero tail E2BIG; EFAULT), then
    /// entries are applied in order: no flag but FLAG_ALL (EOPNOTSUPP), cache_id at most 3 (EINVAL, even
    /// with FLAG_ALL), a virtual ID with a vDEVICE (EINVAL). <paramref name="handled"/> counts the ones applied.</summary>
    public static int Invalidate(Viommu viommu, uint dataType, ulong uptr, uint entryLen, uint entryNum, out uint handled)
    {
        handled = 0;
        if (entryNum == 0 && dataType == InvalidateDataSelftest)
            return 0;
        if (dataType != InvalidateDataSelftest || entryNum == 0)
            return -Errno.EINVAL;
        var entries = new byte[entryNum * InvalidateEntrySize];
        for (uint i = 0; i < entryNum; i++)
        {
            int rc = UserAccess.CopyStructFromUser(entries.AsSpan((int)(i * InvalidateEntrySize), InvalidateEntrySize),
                uptr + (ulong)entryLen * i, entryLen);
            if (rc != 0)
                return rc;
        }
        for (uint i = 0; i < entryNum; i++)
        {
            ReadOnlySpan<byte> entry = entries.AsSpan((int)(i * InvalidateEntrySize), InvalidateEntrySize);
            uint flags = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(entry);
            uint virtId = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
            uint cacheId = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
            if ((flags & ~MockNestedDomain.InvalidateFlagAll) != 0)
                return -Errno.EOPNOTSUPP;
            if (cacheId > CacheIdMax)
                return -Errno.EINVAL;
            if (!viommu.Vdevs.TryGetValue(virtId, out Vdevice? vdev))
                return -Errno.EINVAL;
            if ((flags & MockNestedDomain.InvalidateFlagAll) != 0)
                Array.Clear(vdev.Idev.Cache);
            else
                vdev.Idev.Cache[cacheId] = 0;
            handled++;
        }
        return 0;
    }

    private const uint CacheIdMax = 3; // MOCK_DEV_CACHE_ID_MAX

    /// <summary>iommufd_test_dev_check_cache: the device (ENOENT), then cache entry <paramref name="cacheId"/>
    /// (at most 3) must hold <paramref name="expected"/> (EINVAL).</summary>
    public static int CheckDeviceCache(IommufdContext ctx, uint deviceId, uint cacheId, uint expected)
    {
        if (ctx.Objects.Get(deviceId, ObjectType.Device) is not Device idev)
            return -Errno.ENOENT;
        return cacheId > CacheIdMax || idev.Cache[cacheId] != expected ? -Errno.EINVAL : 0;
    }

    /// <summary>iommufd_test_trigger_vevent: the device (ENOENT); it must be attached through a vIOMMU with a
    /// non-zero virtual ID (ENOENT); the vIOMMU's SELFTEST queue (EOPNOTSUPP when it has none) gets struct
    /// iommu_viommu_event_selftest {virt_id}.</summary>
    public static int TriggerVevent(IommufdContext ctx, uint deviceId)
    {
        if (ctx.Objects.Get(deviceId, ObjectType.Device) is not Device idev)
            return -Errno.ENOENT;
        if (idev.MockViommu is not ({ } viommu, ulong virtId) || virtId == 0)
            return -Errno.ENOENT;
        var data = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(data, (uint)virtId);
        return viommu.ReportEvent(VeventqTypeSelftest, data);
    }

    /// <summary>What the dispatcher does with ucmd->new_obj: published on success, aborted otherwise.</summary>
    private static int FinalizeOrAbort(IommufdContext ctx, IommufdObject obj, int rc)
    {
        if (rc == 0)
            ctx.Objects.Finalize(obj);
        else
            ctx.Objects.Abort(obj);
        return rc;
    }
}
