using System.Runtime.CompilerServices;
using IommuFd.Engine.Handlers;
using IommuFd.Engine.Container;
using static IommuFd.Engine.Dispatch.Layout;

namespace IommuFd.Engine.Dispatch;

/// <summary>
/// iommufd_fops_ioctl: one table indexed by nr - 0x80 and the kernel's check order: the nr range
/// (outside → the VFIO compat switch), get_user of the size (EFAULT), the exact command (ENOTTY),
/// min size (EINVAL), copy_struct_from_user (E2BIG/EFAULT), then the handler.
/// </summary>
internal static unsafe class Dispatcher
{
    private const uint CmdBase = 0x80;

    /// <summary>The 6.12 table without CONFIG_IOMMUFD_TEST: 0x80..0x8E.</summary>
    private static readonly IoctlOp?[] Ops = BuildTable(withTest: false, with73: false);

    /// <summary>With CONFIG_IOMMUFD_TEST: 0x80..0xA0, holes at 0x8F..0x9F.</summary>
    private static readonly IoctlOp?[] TestOps = BuildTable(withTest: true, with73: false);

    /// <summary>7.3 without CONFIG_IOMMUFD_TEST: 0x80..0x95.</summary>
    private static readonly IoctlOp?[] Ops73 = BuildTable(withTest: false, with73: true);

    /// <summary>7.3 with CONFIG_IOMMUFD_TEST: 0x80..0xA0, holes at 0x96..0x9F.</summary>
    private static readonly IoctlOp?[] TestOps73 = BuildTable(withTest: true, with73: true);

    private static IoctlOp?[] BuildTable(bool withTest, bool with73)
    {
        var ops = new List<IoctlOp>
        {
            new(Iommufd.IOMMU_DESTROY, ObjectHandlers.Destroy, SizeOf<iommu_destroy>(), OffsetOfEnd<iommu_destroy>(nameof(iommu_destroy.id))),
            new(Iommufd.IOMMU_FAULT_QUEUE_ALLOC, HwptHandlers.FaultQueueAlloc, SizeOf<iommu_fault_alloc>(), OffsetOfEnd<iommu_fault_alloc>(nameof(iommu_fault_alloc.out_fault_fd))),
            new(Iommufd.IOMMU_GET_HW_INFO, HwptHandlers.GetHwInfo, SizeOf<iommu_hw_info>(), OffsetOfEnd<iommu_hw_info>(nameof(iommu_hw_info.__reserved))),
            new(Iommufd.IOMMU_HWPT_ALLOC, HwptHandlers.HwptAlloc, SizeOf<iommu_hwpt_alloc>(), OffsetOfEnd<iommu_hwpt_alloc>(nameof(iommu_hwpt_alloc.__reserved))),
            new(Iommufd.IOMMU_HWPT_GET_DIRTY_BITMAP, DirtyHandlers.GetDirtyBitmap, SizeOf<iommu_hwpt_get_dirty_bitmap>(), OffsetOfEnd<iommu_hwpt_get_dirty_bitmap>(nameof(iommu_hwpt_get_dirty_bitmap.data))),
            new(Iommufd.IOMMU_HWPT_INVALIDATE, NestedHwptHandlers.Invalidate, SizeOf<iommu_hwpt_invalidate>(), OffsetOfEnd<iommu_hwpt_invalidate>(nameof(iommu_hwpt_invalidate.__reserved))),
            new(Iommufd.IOMMU_HWPT_SET_DIRTY_TRACKING, DirtyHandlers.SetDirtyTracking, SizeOf<iommu_hwpt_set_dirty_tracking>(), OffsetOfEnd<iommu_hwpt_set_dirty_tracking>(nameof(iommu_hwpt_set_dirty_tracking.__reserved))),
            new(Iommufd.IOMMU_IOAS_ALLOC, IoasHandlers.Alloc, SizeOf<iommu_ioas_alloc>(), OffsetOfEnd<iommu_ioas_alloc>(nameof(iommu_ioas_alloc.out_ioas_id))),
            new(Iommufd.IOMMU_IOAS_ALLOW_IOVAS, IoasHandlers.AllowIovas, SizeOf<iommu_ioas_allow_iovas>(), OffsetOfEnd<iommu_ioas_allow_iovas>(nameof(iommu_ioas_allow_iovas.allowed_iovas))),
            new(Iommufd.IOMMU_IOAS_COPY, MapHandlers.Copy, SizeOf<iommu_ioas_copy>(), OffsetOfEnd<iommu_ioas_copy>(nameof(iommu_ioas_copy.src_iova))),
            new(Iommufd.IOMMU_IOAS_IOVA_RANGES, IoasHandlers.IovaRanges, SizeOf<iommu_ioas_iova_ranges>(), OffsetOfEnd<iommu_ioas_iova_ranges>(nameof(iommu_ioas_iova_ranges.out_iova_alignment))),
            new(Iommufd.IOMMU_IOAS_MAP, MapHandlers.Map, SizeOf<iommu_ioas_map>(), OffsetOfEnd<iommu_ioas_map>(nameof(iommu_ioas_map.iova))),
            new(Iommufd.IOMMU_IOAS_UNMAP, MapHandlers.Unmap, SizeOf<iommu_ioas_unmap>(), OffsetOfEnd<iommu_ioas_unmap>(nameof(iommu_ioas_unmap.length))),
            new(Iommufd.IOMMU_OPTION, OptionHandlers.Option, SizeOf<iommu_option>(), OffsetOfEnd<iommu_option>(nameof(iommu_option.val64))),
            new(Iommufd.IOMMU_VFIO_IOAS, OptionHandlers.VfioIoas, SizeOf<iommu_vfio_ioas>(), OffsetOfEnd<iommu_vfio_ioas>(nameof(iommu_vfio_ioas.__reserved))),
        };
        if (with73)
            ops.AddRange(Uapi73.Ops);
        if (withTest)
            ops.Add(new(IommufdTest.IOMMU_TEST_CMD, SelftestHandlers.TestCmd, SizeOf<iommu_test_cmd>(), OffsetOfEnd<iommu_test_cmd>(nameof(iommu_test_cmd.last))));
        var table = new IoctlOp?[ops.Max(o => (o.Request & 0xFF) - CmdBase) + 1];
        foreach (IoctlOp op in ops)
            table[(op.Request & 0xFF) - CmdBase] = op;
        return table;
    }

    /// <summary>The table a context with these options dispatches through (picked once, at open).</summary>
    public static IoctlOp?[] TableFor(EngineOptions options) => (options.IommufdTest, options.Has73Uapi) switch
    {
        (false, false) => Ops,
        (true, false) => TestOps,
        (false, true) => Ops73,
        (true, true) => TestOps73,
    };

    public static int Ioctl(IommufdContext ctx, uint cmd, ulong arg)
    {
        IoctlOp?[] ops = ctx.IoctlTable;
        uint nr = cmd & 0xFF;
        if (nr < CmdBase || nr - CmdBase >= (uint)ops.Length)
            return VfioCompat.Ioctl(ctx, cmd, arg);

        // The argument struct is almost always on the caller's stack: then it is read and written
        // directly (checked once here) instead of through process_vm_readv/writev per copy.
        uint userSize;
        if (UserAccess.IsOwnLiveStack(arg, sizeof(uint)))
            userSize = Unsafe.ReadUnaligned<uint>((void*)arg);
        else if (UserAccess.Get(out userSize, arg) != 0)
            return -Errno.EFAULT;
        IoctlOp? op = ops[nr - CmdBase];
        if (op == null || op.Request != cmd)
            return -Errno.ENOTTY;
        if (userSize < op.MinSize)
            return -Errno.EINVAL;

        var ucmd = new UserCommand(arg, userSize, direct: UserAccess.IsOwnLiveStack(arg, userSize));
        int rc = CopyStructFromUser(ref ucmd, op.Size);
        if (rc != 0)
            return rc;
        lock (ctx.Lock)
            return op.Handler(ctx, ref ucmd);
    }

    /// <summary>copy_struct_from_user into the command buffer; an argument on the caller's own live
    /// stack is read in place (checked once per ioctl).</summary>
    private static int CopyStructFromUser(ref UserCommand ucmd, int kernelSize)
    {
        if (!ucmd.Direct)
            return UserAccess.CopyStructFromUser(ucmd.Buffer[..kernelSize], ucmd.UserPointer, ucmd.UserSize);
        Span<byte> buffer = ucmd.Buffer;
        int n = (int)Math.Min(ucmd.UserSize, (uint)kernelSize);
        var user = new ReadOnlySpan<byte>((void*)ucmd.UserPointer, (int)ucmd.UserSize);
        if (user[n..].ContainsAnyExcept((byte)0))
            return -Errno.E2BIG;
        user[..n].CopyTo(buffer);
        return 0;
    }
}
