using IommuFd.Interop;

namespace IommuFd.Bindings;

/// <summary>Flags of VFIO_IOMMU_MAP_DMA.</summary>
[Flags]
public enum VfioDmaMapFlags : uint
{
    /// <summary>No permission (accepted by iommufd's compat layer).</summary>
    None = 0,
    /// <summary>The device may read.</summary>
    Read = (uint)Vfio.VFIO_DMA_MAP_FLAG_READ,
    /// <summary>The device may write.</summary>
    Write = (uint)Vfio.VFIO_DMA_MAP_FLAG_WRITE,
    /// <summary>Update the vaddr of an existing mapping (not supported by iommufd: EINVAL).</summary>
    Vaddr = (uint)Vfio.VFIO_DMA_MAP_FLAG_VADDR,
    /// <summary>Read and write.</summary>
    ReadWrite = Read | Write,
}

/// <summary>Flags of VFIO_IOMMU_UNMAP_DMA.</summary>
[Flags]
public enum VfioDmaUnmapFlags : uint
{
    /// <summary>Unmap the range given.</summary>
    None = 0,
    /// <summary>Also return a dirty bitmap (not supported by iommufd: EINVAL).</summary>
    GetDirtyBitmap = (uint)Vfio.VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
    /// <summary>Unmap everything; iova and size must be 0.</summary>
    All = (uint)Vfio.VFIO_DMA_UNMAP_FLAG_ALL,
    /// <summary>Invalidate vaddrs (not supported by iommufd: EINVAL).</summary>
    Vaddr = (uint)Vfio.VFIO_DMA_UNMAP_FLAG_VADDR,
}

/// <summary>Flags of <c>struct vfio_region_info</c>.</summary>
[Flags]
public enum VfioRegionFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>The region can be read.</summary>
    Read = (uint)Vfio.VFIO_REGION_INFO_FLAG_READ,
    /// <summary>The region can be written.</summary>
    Write = (uint)Vfio.VFIO_REGION_INFO_FLAG_WRITE,
    /// <summary>The region can be mmapped.</summary>
    Mmap = (uint)Vfio.VFIO_REGION_INFO_FLAG_MMAP,
    /// <summary>The info carries a capability chain.</summary>
    Caps = (uint)Vfio.VFIO_REGION_INFO_FLAG_CAPS,
}

/// <summary>Flags of <c>struct vfio_irq_info</c>.</summary>
[Flags]
public enum VfioIrqInfoFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>Can signal an eventfd.</summary>
    Eventfd = (uint)Vfio.VFIO_IRQ_INFO_EVENTFD,
    /// <summary>Can be masked.</summary>
    Maskable = (uint)Vfio.VFIO_IRQ_INFO_MASKABLE,
    /// <summary>Is masked automatically when it fires.</summary>
    Automasked = (uint)Vfio.VFIO_IRQ_INFO_AUTOMASKED,
    /// <summary>The number of vectors cannot change while enabled.</summary>
    NoResize = (uint)Vfio.VFIO_IRQ_INFO_NORESIZE,
}

/// <summary>Flags of VFIO_DEVICE_SET_IRQS: one data type and one action.</summary>
[Flags]
public enum VfioIrqSetFlags : uint
{
    /// <summary>No data follows.</summary>
    DataNone = (uint)Vfio.VFIO_IRQ_SET_DATA_NONE,
    /// <summary>One u8 per vector follows.</summary>
    DataBool = (uint)Vfio.VFIO_IRQ_SET_DATA_BOOL,
    /// <summary>One s32 eventfd per vector follows (-1 to tear down).</summary>
    DataEventfd = (uint)Vfio.VFIO_IRQ_SET_DATA_EVENTFD,
    /// <summary>Mask the vectors.</summary>
    ActionMask = (uint)Vfio.VFIO_IRQ_SET_ACTION_MASK,
    /// <summary>Unmask the vectors.</summary>
    ActionUnmask = (uint)Vfio.VFIO_IRQ_SET_ACTION_UNMASK,
    /// <summary>Trigger, or set what a trigger signals.</summary>
    ActionTrigger = (uint)Vfio.VFIO_IRQ_SET_ACTION_TRIGGER,
}

/// <summary>Flags of <c>struct vfio_device_info</c>.</summary>
[Flags]
public enum VfioDeviceFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>VFIO_DEVICE_RESET is supported.</summary>
    Reset = (uint)Vfio.VFIO_DEVICE_FLAGS_RESET,
    /// <summary>A vfio-pci device.</summary>
    Pci = (uint)Vfio.VFIO_DEVICE_FLAGS_PCI,
    /// <summary>A vfio-platform device.</summary>
    Platform = (uint)Vfio.VFIO_DEVICE_FLAGS_PLATFORM,
    /// <summary>The info carries a capability chain.</summary>
    Caps = (uint)Vfio.VFIO_DEVICE_FLAGS_CAPS,
}
