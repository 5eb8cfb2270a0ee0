using IommuFd.Bindings.Internal;
using IommuFd.Interop;

namespace IommuFd.Bindings;

// Hardware page tables, hardware info and fault queues.
public sealed partial class IommufdContext
{
    /// <summary>Reports the IOMMU behind <paramref name="device"/> (IOMMU_GET_HW_INFO); the driver's data
    /// is copied into <paramref name="data"/> (the rest of it is zeroed).</summary>
    public HwInfo GetHwInfo(DeviceId device, Span<byte> data = default)
    {
        Results.ThrowIfFailed(TryGetHwInfo(device, data, out HwInfo info), nameof(Iommufd.IOMMU_GET_HW_INFO));
        return info;
    }

    /// <summary>IOMMU_GET_HW_INFO, returning the errno on failure.</summary>
    public unsafe Errno TryGetHwInfo(DeviceId device, Span<byte> data, out HwInfo info)
    {
        fixed (byte* buffer = data)
        {
            var arg = new iommu_hw_info
            {
                dev_id = device.Value,
                data_len = (uint)data.Length,
                data_uptr = (ulong)buffer,
            };
            int rc;
            using (IommuFdHandle.FdLease fd = Handle.Borrow())
                rc = IommufdIoctls.IOMMU_GET_HW_INFO(Backend, fd.Fd, ref arg);
            info = rc >= 0
                ? new HwInfo(arg.out_data_type, arg.data_len, arg.out_max_pasid_log2, (HwCapabilities)arg.out_capabilities)
                : default;
            return ErrnoNames.FromResult(rc);
        }
    }

    /// <summary>Allocates a paging HWPT for <paramref name="device"/> on <paramref name="ioas"/> (IOMMU_HWPT_ALLOC).
    /// Unlike the automatic domain of an attach, it lives until destroyed.</summary>
    /// <param name="device">The device whose IOMMU builds the domain.</param>
    /// <param name="ioas">The IOAS whose mappings the domain mirrors.</param>
    /// <param name="flags"><see cref="HwptAllocFlags.NestParent"/> and/or <see cref="HwptAllocFlags.DirtyTracking"/>.</param>
    public HwptId AllocHwpt(DeviceId device, IoasId ioas, HwptAllocFlags flags = HwptAllocFlags.None)
    {
        Results.ThrowIfFailed(TryAllocHwpt(device, ioas.Value, flags, 0, default, 0, out HwptId id), nameof(Iommufd.IOMMU_HWPT_ALLOC));
        return id;
    }

    /// <summary>Allocates a nested HWPT under <paramref name="parent"/> (a NEST_PARENT paging HWPT) with
    /// driver-specific stage-1 <paramref name="data"/> of type <paramref name="dataType"/>
    /// (<c>enum iommu_hwpt_data_type</c>); with <paramref name="fault"/>, its faults go to that queue.</summary>
    public HwptId AllocNestedHwpt(DeviceId device, HwptId parent, uint dataType, ReadOnlySpan<byte> data, FaultId? fault = null)
    {
        HwptAllocFlags flags = fault is null ? HwptAllocFlags.None : HwptAllocFlags.FaultIdValid;
        Errno errno = TryAllocHwpt(device, parent.Value, flags, dataType, data, fault?.Value ?? 0, out HwptId id);
        Results.ThrowIfFailed(errno, nameof(Iommufd.IOMMU_HWPT_ALLOC));
        return id;
    }

    /// <summary>IOMMU_HWPT_ALLOC with every input chosen by the caller: <paramref name="ptId"/> may be an IOAS
    /// (paging HWPT) or a paging HWPT (nested), <paramref name="data"/> becomes <c>data_len</c>/<c>data_uptr</c>
    /// (0/0 when empty), <paramref name="faultId"/> counts only with <see cref="HwptAllocFlags.FaultIdValid"/>.</summary>
    public unsafe Errno TryAllocHwpt(DeviceId device, uint ptId, HwptAllocFlags flags, uint dataType,
                                     ReadOnlySpan<byte> data, uint faultId, out HwptId id)
    {
        fixed (byte* buffer = data)
        {
            var arg = new iommu_hwpt_alloc
            {
                flags = (uint)flags,
                dev_id = device.Value,
                pt_id = ptId,
                data_type = dataType,
                data_len = (uint)data.Length,
                data_uptr = (ulong)buffer,
                fault_id = faultId,
            };
            int rc;
            using (IommuFdHandle.FdLease fd = Handle.Borrow())
                rc = IommufdIoctls.IOMMU_HWPT_ALLOC(Backend, fd.Fd, ref arg);
            id = new HwptId(rc >= 0 ? arg.out_hwpt_id : 0);
            return ErrnoNames.FromResult(rc);
        }
    }

    /// <summary>Starts or stops dirty tracking on a paging HWPT (IOMMU_HWPT_SET_DIRTY_TRACKING).</summary>
    public void SetDirtyTracking(HwptId hwpt, bool enable) =>
        Results.ThrowIfFailed(TrySetDirtyTracking(hwpt, enable), nameof(Iommufd.IOMMU_HWPT_SET_DIRTY_TRACKING));

    /// <summary>IOMMU_HWPT_SET_DIRTY_TRACKING, returning the errno on failure.</summary>
    public Errno TrySetDirtyTracking(HwptId hwpt, bool enable)
    {
        var arg = new iommu_hwpt_set_dirty_tracking
        {
            flags = enable ? (uint)Iommufd.IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
            hwpt_id = hwpt.Value,
        };
        using IommuFdHandle.FdLease fd = Handle.Borrow();
        return ErrnoNames.FromResult(IommufdIoctls.IOMMU_HWPT_SET_DIRTY_TRACKING(Backend, fd.Fd, ref arg));
    }

    /// <summary>Reads (and unless <paramref name="noClear"/>, clears) the dirty bits of
    /// [<paramref name="iova"/>, <paramref name="iova"/> + <paramref name="length"/>) into <paramref name="bitmap"/>:
    /// bit i is the page at <c>iova + i * pageSize</c> (IOMMU_HWPT_GET_DIRTY_BITMAP).</summary>
    public void GetDirtyBitmap(HwptId hwpt, ulong iova, ulong length, ulong pageSize, Span<ulong> bitmap, bool noClear = false) =>
        Results.ThrowIfFailed(TryGetDirtyBitmap(hwpt, iova, length, pageSize, bitmap, noClear), nameof(Iommufd.IOMMU_HWPT_GET_DIRTY_BITMAP));

    /// <summary>IOMMU_HWPT_GET_DIRTY_BITMAP, returning the errno on failure. The caller sizes
    /// <paramref name="bitmap"/>: one bit per page, rounded up to whole 64-bit words.</summary>
    public unsafe Errno TryGetDirtyBitmap(HwptId hwpt, ulong iova, ulong length, ulong pageSize, Span<ulong> bitmap, bool noClear = false)
    {
        fixed (ulong* words = bitmap)
        {
            var arg = new iommu_hwpt_get_dirty_bitmap
            {
                hwpt_id = hwpt.Value,
                flags = noClear ? (uint)Iommufd.IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR : 0,
                iova = iova,
                length = length,
                page_size = pageSize,
                data = (ulong)words,
            };
            using IommuFdHandle.FdLease fd = Handle.Borrow();
            return ErrnoNames.FromResult(IommufdIoctls.IOMMU_HWPT_GET_DIRTY_BITMAP(Backend, fd.Fd, ref arg));
        }
    }

    /// <summary>Invalidates caches of a nested HWPT with driver-specific <paramref name="entries"/> of
    /// <paramref name="dataType"/> (IOMMU_HWPT_INVALIDATE). Returns the number of entries handled.</summary>
    public unsafe uint Invalidate<TEntry>(HwptId hwpt, uint dataType, ReadOnlySpan<TEntry> entries) where TEntry : unmanaged
    {
        Errno errno = TryInvalidate(hwpt, dataType, System.Runtime.InteropServices.MemoryMarshal.AsBytes(entries),
                                    (uint)sizeof(TEntry), (uint)entries.Length, out uint handled);
        Results.ThrowIfFailed(errno, nameof(Iommufd.IOMMU_HWPT_INVALIDATE));
        return handled;
    }

    /// <summary>IOMMU_HWPT_INVALIDATE with every input chosen by the caller. <paramref name="handled"/> is
    /// written on success and failure alike, as the kernel always reports how many entries it processed.</summary>
    public unsafe Errno TryInvalidate(HwptId hwpt, uint dataType, ReadOnlySpan<byte> entries, uint entryLength,
                                      uint entryCount, out uint handled)
    {
        fixed (byte* buffer = entries)
        {
            var arg = new iommu_hwpt_invalidate
            {
                hwpt_id = hwpt.Value,
                data_uptr = (ulong)buffer,
                data_type = dataType,
                entry_len = entryLength,
                entry_num = entryCount,
            };
            int rc;
            using (IommuFdHandle.FdLease fd = Handle.Borrow())
                rc = IommufdIoctls.IOMMU_HWPT_INVALIDATE(Backend, fd.Fd, ref arg);
            handled = arg.entry_num;
            return ErrnoNames.FromResult(rc);
        }
    }

    /// <summary>Allocates a fault queue and its fd (IOMMU_FAULT_QUEUE_ALLOC).</summary>
    public FaultQueue AllocFaultQueue()
    {
        Results.ThrowIfFailed(TryAllocFaultQueue(out FaultQueue? queue), nameof(Iommufd.IOMMU_FAULT_QUEUE_ALLOC));
        return queue!;
    }

    /// <summary>IOMMU_FAULT_QUEUE_ALLOC, returning the errno on failure.</summary>
    public Errno TryAllocFaultQueue(out FaultQueue? queue)
    {
        var arg = new iommu_fault_alloc();
        int rc;
        using (IommuFdHandle.FdLease fd = Handle.Borrow())
            rc = IommufdIoctls.IOMMU_FAULT_QUEUE_ALLOC(Backend, fd.Fd, ref arg);
        queue = rc >= 0 ? new FaultQueue(new FaultId(arg.out_fault_id), new IommuFdHandle(Backend, (int)arg.out_fault_fd)) : null;
        return ErrnoNames.FromResult(rc);
    }
}
