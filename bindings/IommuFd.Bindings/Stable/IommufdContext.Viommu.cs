using IommuFd.Interop.Stable;

namespace IommuFd.Bindings;

// Linux 7.3's context calls: changing the process that owns the pinned pages, and the virtual IOMMU
// objects (vIOMMU, vDevice, vEvent queue, HW queue). On 6.12 they are ENOTTY; the throwing forms say so.
public sealed partial class IommufdContext
{
    /// <summary>Moves the accounting and mm of every file-mapped area to the calling process
    /// (IOMMU_IOAS_CHANGE_PROCESS, Linux 7.3); EINVAL when an area was mapped from user memory.</summary>
    public void ChangeProcess() =>
        NewerKernel.ThrowIfFailed(TryChangeProcess(), nameof(Iommufd.IOMMU_IOAS_CHANGE_PROCESS), Backend);

    /// <summary>IOMMU_IOAS_CHANGE_PROCESS, returning the errno on failure.</summary>
    public Errno TryChangeProcess()
    {
        var arg = new iommu_ioas_change_process();
        using IommuFdHandle.FdLease fd = Handle.Borrow();
        return ErrnoNames.FromResult(IommufdIoctls.IOMMU_IOAS_CHANGE_PROCESS(Backend, fd.Fd, ref arg));
    }

    /// <summary>Allocates a virtual IOMMU of <paramref name="type"/> (<c>enum iommu_viommu_type</c>) for
    /// <paramref name="device"/>'s IOMMU on the nesting parent <paramref name="hwpt"/>, with the driver's
    /// <paramref name="data"/> (IOMMU_VIOMMU_ALLOC, Linux 7.3).</summary>
    public ViommuId AllocViommu(DeviceId device, HwptId hwpt, uint type, Span<byte> data = default)
    {
        NewerKernel.ThrowIfFailed(TryAllocViommu(device, hwpt, type, data, out ViommuId id), nameof(Iommufd.IOMMU_VIOMMU_ALLOC), Backend);
        return id;
    }

    /// <summary>IOMMU_VIOMMU_ALLOC, returning the errno on failure; the driver may write back into <paramref name="data"/>.</summary>
    public unsafe Errno TryAllocViommu(DeviceId device, HwptId hwpt, uint type, Span<byte> data, out ViommuId id)
    {
        fixed (byte* buffer = data)
        {
            var arg = new iommu_viommu_alloc
            {
                type = type,
                dev_id = device.Value,
                hwpt_id = hwpt.Value,
                data_len = (uint)data.Length,
                data_uptr = (ulong)buffer,
            };
            int rc;
            using (IommuFdHandle.FdLease fd = Handle.Borrow())
                rc = IommufdIoctls.IOMMU_VIOMMU_ALLOC(Backend, fd.Fd, ref arg);
            id = new ViommuId(rc >= 0 ? arg.out_viommu_id : 0);
            return ErrnoNames.FromResult(rc);
        }
    }

    /// <summary>Gives <paramref name="device"/> the identity <paramref name="virtualId"/> behind
    /// <paramref name="viommu"/> (IOMMU_VDEVICE_ALLOC, Linux 7.3), e.g. the guest's stream or device ID.</summary>
    public VdeviceId AllocVdevice(ViommuId viommu, DeviceId device, ulong virtualId)
    {
        NewerKernel.ThrowIfFailed(TryAllocVdevice(viommu, device, virtualId, out VdeviceId id), nameof(Iommufd.IOMMU_VDEVICE_ALLOC), Backend);
        return id;
    }

    /// <summary>IOMMU_VDEVICE_ALLOC, returning the errno on failure.</summary>
    public Errno TryAllocVdevice(ViommuId viommu, DeviceId device, ulong virtualId, out VdeviceId id)
    {
        var arg = new iommu_vdevice_alloc { viommu_id = viommu.Value, dev_id = device.Value, virt_id = virtualId };
        int rc;
        using (IommuFdHandle.FdLease fd = Handle.Borrow())
            rc = IommufdIoctls.IOMMU_VDEVICE_ALLOC(Backend, fd.Fd, ref arg);
        id = new VdeviceId(rc >= 0 ? arg.out_vdevice_id : 0);
        return ErrnoNames.FromResult(rc);
    }

    /// <summary>Allocates an event queue of <paramref name="type"/> (<c>enum iommu_veventq_type</c>) on
    /// <paramref name="viommu"/>, holding up to <paramref name="depth"/> events, and its fd
    /// (IOMMU_VEVENTQ_ALLOC, Linux 7.3).</summary>
    public VeventQueue AllocVeventQueue(ViommuId viommu, uint type, uint depth)
    {
        NewerKernel.ThrowIfFailed(TryAllocVeventQueue(viommu, type, depth, out VeventQueue? queue), nameof(Iommufd.IOMMU_VEVENTQ_ALLOC), Backend);
        return queue!;
    }

    /// <summary>IOMMU_VEVENTQ_ALLOC, returning the errno on failure.</summary>
    public Errno TryAllocVeventQueue(ViommuId viommu, uint type, uint depth, out VeventQueue? queue)
    {
        var arg = new iommu_veventq_alloc { viommu_id = viommu.Value, type = type, veventq_depth = depth };
        int rc;
        using (IommuFdHandle.FdLease fd = Handle.Borrow())
            rc = IommufdIoctls.IOMMU_VEVENTQ_ALLOC(Backend, fd.Fd, ref arg);
        queue = rc >= 0 ? new VeventQueue(new VeventQueueId(arg.out_veventq_id), new IommuFdHandle(Backend, (int)arg.out_veventq_fd)) : null;
        return ErrnoNames.FromResult(rc);
    }

    /// <summary>Allocates HW queue <paramref name="index"/> of <paramref name="type"/> (<c>enum iommu_hw_queue_type</c>)
    /// on <paramref name="viommu"/>, over the guest memory at <paramref name="nestingParentIova"/> of
    /// <paramref name="length"/> bytes, which must be mapped in the nesting parent (IOMMU_HW_QUEUE_ALLOC, Linux 7.3).</summary>
    public HwQueueId AllocHwQueue(ViommuId viommu, uint type, uint index, ulong nestingParentIova, ulong length)
    {
        NewerKernel.ThrowIfFailed(TryAllocHwQueue(viommu, type, index, nestingParentIova, length, out HwQueueId id),
            nameof(Iommufd.IOMMU_HW_QUEUE_ALLOC), Backend);
        return id;
    }

    /// <summary>IOMMU_HW_QUEUE_ALLOC, returning the errno on failure.</summary>
    public Errno TryAllocHwQueue(ViommuId viommu, uint type, uint index, ulong nestingParentIova, ulong length, out HwQueueId id)
    {
        var arg = new iommu_hw_queue_alloc
        {
            viommu_id = viommu.Value,
            type = type,
            index = index,
            nesting_parent_iova = nestingParentIova,
            length = length,
        };
        int rc;
        using (IommuFdHandle.FdLease fd = Handle.Borrow())
            rc = IommufdIoctls.IOMMU_HW_QUEUE_ALLOC(Backend, fd.Fd, ref arg);
        id = new HwQueueId(rc >= 0 ? arg.out_hw_queue_id : 0);
        return ErrnoNames.FromResult(rc);
    }
}
