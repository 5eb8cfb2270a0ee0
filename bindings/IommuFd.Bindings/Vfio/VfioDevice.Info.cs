using System.Runtime.InteropServices;
using IommuFd.Bindings.Internal;
using IommuFd.Interop;

namespace IommuFd.Bindings;

// Device, region and IRQ information: info structs that may be followed by a capability chain. The
// caller passes argsz; when the capabilities do not fit, the kernel answers with the argsz it needs
// (and cap_offset 0), and the call is repeated with that much room.
public sealed partial class VfioDevice
{
    /// <summary>VFIO_DEVICE_GET_INFO with its capability chain.</summary>
    public VfioDeviceInfo GetInfo()
    {
        Results.ThrowIfFailed(TryGetInfo(out VfioDeviceInfo? info), nameof(Vfio.VFIO_DEVICE_GET_INFO));
        return info!;
    }

    /// <summary>VFIO_DEVICE_GET_INFO, returning the errno (EINVAL before BIND).</summary>
    public Errno TryGetInfo(out VfioDeviceInfo? info)
    {
        Errno errno = TryQuery(Vfio.VFIO_DEVICE_GET_INFO, new vfio_device_info(), out byte[] buffer);
        info = null;
        if (errno != Errno.None)
            return errno;
        vfio_device_info head = MemoryMarshal.Read<vfio_device_info>(buffer);
        IReadOnlyList<VfioCapability> caps = (head.flags & Vfio.VFIO_DEVICE_FLAGS_CAPS) != 0
            ? VfioCapabilityChain.Parse(buffer, head.cap_offset)
            : [];
        info = new VfioDeviceInfo((VfioDeviceFlags)head.flags, head.num_regions, head.num_irqs, caps);
        return errno;
    }

    /// <summary>VFIO_DEVICE_GET_REGION_INFO for region <paramref name="index"/>, with its capability chain.</summary>
    public VfioRegionInfo GetRegionInfo(uint index)
    {
        Results.ThrowIfFailed(TryGetRegionInfo(index, out VfioRegionInfo? info), nameof(Vfio.VFIO_DEVICE_GET_REGION_INFO));
        return info!;
    }

    /// <summary>VFIO_DEVICE_GET_REGION_INFO, returning the errno (EINVAL for an index past the last region).</summary>
    public Errno TryGetRegionInfo(uint index, out VfioRegionInfo? info)
    {
        Errno errno = TryQuery(Vfio.VFIO_DEVICE_GET_REGION_INFO, new vfio_region_info { index = index }, out byte[] buffer);
        info = null;
        if (errno != Errno.None)
            return errno;
        vfio_region_info head = MemoryMarshal.Read<vfio_region_info>(buffer);
        IReadOnlyList<VfioCapability> caps = (head.flags & Vfio.VFIO_REGION_INFO_FLAG_CAPS) != 0
            ? VfioCapabilityChain.Parse(buffer, head.cap_offset)
            : [];
        info = new VfioRegionInfo(head.index, (VfioRegionFlags)head.flags, head.size, head.offset, caps);
        return errno;
    }

    /// <summary>VFIO_DEVICE_GET_IRQ_INFO for IRQ index <paramref name="index"/>.</summary>
    public VfioIrqInfo GetIrqInfo(uint index)
    {
        Results.ThrowIfFailed(TryGetIrqInfo(index, out VfioIrqInfo info), nameof(Vfio.VFIO_DEVICE_GET_IRQ_INFO));
        return info;
    }

    /// <summary>VFIO_DEVICE_GET_IRQ_INFO, returning the errno.</summary>
    public Errno TryGetIrqInfo(uint index, out VfioIrqInfo info)
    {
        var arg = new vfio_irq_info { index = index };
        int rc;
        using (IommuFdHandle.FdLease fd = Handle.Borrow())
            rc = VfioIoctls.VFIO_DEVICE_GET_IRQ_INFO(Backend, fd.Fd, ref arg);
        info = rc >= 0 ? new VfioIrqInfo(arg.index, (VfioIrqInfoFlags)arg.flags, arg.count) : default;
        return ErrnoNames.FromResult(rc);
    }

    /// <summary>Issues one info query with <c>argsz</c> = the buffer's length (at least the info struct's size):
    /// <paramref name="buffer"/> holds the struct (with its inputs, e.g. <c>index</c>) and receives the answer;
    /// <paramref name="needed"/> is the <c>argsz</c> written back.</summary>
    public unsafe Errno TryQueryRaw(uint request, Span<byte> buffer, out uint needed)
    {
        if (buffer.Length < sizeof(uint))
            throw new ArgumentException("the buffer must hold at least argsz", nameof(buffer));
        MemoryMarshal.Write(buffer, (uint)buffer.Length);
        int rc;
        fixed (byte* p = buffer)
        {
            using IommuFdHandle.FdLease fd = Handle.Borrow();
            rc = Backend.Ioctl(fd.Fd, request, p);
        }
        needed = rc >= 0 ? MemoryMarshal.Read<uint>(buffer) : 0;
        return ErrnoNames.FromResult(rc);
    }

    private unsafe Errno TryQuery<THead>(uint request, THead head, out byte[] buffer) where THead : unmanaged
    {
        buffer = new byte[sizeof(THead)];
        for (int attempt = 0; ; attempt++)
        {
            buffer.AsSpan().Clear();
            MemoryMarshal.Write(buffer, in head);
            Errno errno = TryQueryRaw(request, buffer, out uint needed);
            if (errno != Errno.None || needed <= buffer.Length || attempt >= 8)
                return errno;
            buffer = new byte[needed];
        }
    }
}
