using System.Runtime.InteropServices;
using IommuFd.Bindings.Internal;
using IommuFd.Interop;

namespace IommuFd.Bindings;

// Interrupts, and reads and writes of config space and BARs at their region offsets.
public sealed partial class VfioDevice
{
    private VfioRegionInfo? _config;

    /// <summary>VFIO_DEVICE_SET_IRQS: applies <paramref name="flags"/> (one data type, one action) to
    /// vectors [<paramref name="start"/>, +<paramref name="count"/>) of IRQ index <paramref name="index"/>,
    /// with <paramref name="data"/> following the header (u8 per vector for BOOL, s32 eventfd per vector for EVENTFD).</summary>
    public void SetIrqs(VfioIrqSetFlags flags, uint index, uint start, uint count, ReadOnlySpan<byte> data = default) =>
        Results.ThrowIfFailed(TrySetIrqs(flags, index, start, count, data), nameof(Vfio.VFIO_DEVICE_SET_IRQS));

    /// <summary>Signals <paramref name="eventfds"/> (one per vector from <paramref name="start"/>; -1 detaches one)
    /// when the vectors of <paramref name="index"/> fire.</summary>
    public void SetIrqEventfds(uint index, uint start, ReadOnlySpan<int> eventfds) =>
        SetIrqs(VfioIrqSetFlags.DataEventfd | VfioIrqSetFlags.ActionTrigger, index, start, (uint)eventfds.Length,
                MemoryMarshal.AsBytes(eventfds));

    /// <summary>Disables every vector of IRQ index <paramref name="index"/> (DATA_NONE | ACTION_TRIGGER with count 0).</summary>
    public void DisableIrqs(uint index) =>
        SetIrqs(VfioIrqSetFlags.DataNone | VfioIrqSetFlags.ActionTrigger, index, 0, 0);

    /// <summary>VFIO_DEVICE_SET_IRQS, returning the errno.</summary>
    public unsafe Errno TrySetIrqs(VfioIrqSetFlags flags, uint index, uint start, uint count, ReadOnlySpan<byte> data)
    {
        // struct vfio_irq_set ends in a flexible array: the data follows the fixed part directly.
        int headSize = sizeof(vfio_irq_set);
        int total = headSize + data.Length;
        Span<byte> buffer = total <= 512 ? stackalloc byte[total] : new byte[total];
        buffer.Clear();
        var head = new vfio_irq_set { argsz = (uint)total, flags = (uint)flags, index = index, start = start, count = count };
        MemoryMarshal.Write(buffer, in head);
        data.CopyTo(buffer[headSize..]);
        fixed (byte* p = buffer)
        {
            using IommuFdHandle.FdLease fd = Handle.Borrow();
            return ErrnoNames.FromResult(Backend.Ioctl(fd.Fd, Vfio.VFIO_DEVICE_SET_IRQS, p));
        }
    }

    /// <summary>Reads from <paramref name="region"/> at <paramref name="offset"/> (pread at the region's offset
    /// in the device fd); returns the bytes read.</summary>
    public int ReadRegion(VfioRegionInfo region, ulong offset, Span<byte> buffer) =>
        (int)IommuFdException.ThrowIfError(TryReadRegion(region, offset, buffer), "pread");

    /// <summary>pread from a region: bytes read, or a negative errno.</summary>
    public long TryReadRegion(VfioRegionInfo region, ulong offset, Span<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(region);
        using IommuFdHandle.FdLease fd = Handle.Borrow();
        return Backend.Read(fd.Fd, buffer, checked((long)(region.Offset + offset)));
    }

    /// <summary>Writes to <paramref name="region"/> at <paramref name="offset"/> (pwrite at the region's offset
    /// in the device fd); returns the bytes written.</summary>
    public int WriteRegion(VfioRegionInfo region, ulong offset, ReadOnlySpan<byte> data) =>
        (int)IommuFdException.ThrowIfError(TryWriteRegion(region, offset, data), "pwrite");

    /// <summary>pwrite to a region: bytes written, or a negative errno.</summary>
    public long TryWriteRegion(VfioRegionInfo region, ulong offset, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(region);
        using IommuFdHandle.FdLease fd = Handle.Borrow();
        return Backend.Write(fd.Fd, data, checked((long)(region.Offset + offset)));
    }

    /// <summary>Reads PCI config space at <paramref name="offset"/> (region VFIO_PCI_CONFIG_REGION_INDEX).</summary>
    public int ReadConfig(ulong offset, Span<byte> buffer) => ReadRegion(ConfigRegion(), offset, buffer);

    /// <summary>Writes PCI config space at <paramref name="offset"/> (region VFIO_PCI_CONFIG_REGION_INDEX).</summary>
    public int WriteConfig(ulong offset, ReadOnlySpan<byte> data) => WriteRegion(ConfigRegion(), offset, data);

    private VfioRegionInfo ConfigRegion() => _config ??= GetRegionInfo((uint)Vfio.VFIO_PCI_CONFIG_REGION_INDEX);
}
