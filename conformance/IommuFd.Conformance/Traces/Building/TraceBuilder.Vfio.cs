using IommuFd.Interop;

namespace IommuFd.Conformance.Traces.Building;

// The VFIO type1 compat ioctls of vfio.h on /dev/iommu.
public sealed partial class TraceBuilder
{
    /// <summary>VFIO_GET_API_VERSION (no argument).</summary>
    public StepHandle VfioGetApiVersion(string label, TraceFd fd = default) =>
        IoctlNoArg(label, nameof(Vfio.VFIO_GET_API_VERSION), fd);

    /// <summary>VFIO_CHECK_EXTENSION of an extension (<c>Vfio.VFIO_TYPE1v2_IOMMU</c>, ...).</summary>
    public StepHandle VfioCheckExtension(string label, TraceValue extension, TraceFd fd = default) =>
        IoctlValue(label, nameof(Vfio.VFIO_CHECK_EXTENSION), extension, fd);

    /// <summary>VFIO_SET_IOMMU to an IOMMU type.</summary>
    public StepHandle VfioSetIommu(string label, TraceValue type, TraceFd fd = default) =>
        IoctlValue(label, nameof(Vfio.VFIO_SET_IOMMU), type, fd);

    /// <summary>VFIO_IOMMU_GET_INFO; a <paramref name="tail"/> is room for the capability chain (argsz covers it unless given).</summary>
    public StepHandle VfioIommuGetInfo(string label, TraceValue? argsz = null, byte[]? tail = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Vfio.VFIO_IOMMU_GET_INFO), new Args().With("argsz", argsz), fd, tail);

    /// <summary>VFIO_IOMMU_MAP_DMA (fields in the order flags, vaddr, iova, size).</summary>
    public StepHandle VfioIommuMapDma(string label, TraceValue? flags, TraceValue vaddr, TraceValue iova, TraceValue size, TraceFd fd = default) =>
        Ioctl(label, nameof(Vfio.VFIO_IOMMU_MAP_DMA), new Args().With("flags", flags).With("vaddr", vaddr).With("iova", iova).With("size", size), fd);

    /// <summary>VFIO_IOMMU_UNMAP_DMA (fields in the order iova, size, flags).</summary>
    public StepHandle VfioIommuUnmapDma(string label, TraceValue iova, TraceValue size, TraceValue? flags = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Vfio.VFIO_IOMMU_UNMAP_DMA), new Args { ["iova"] = iova, ["size"] = size }.With("flags", flags), fd);
}
