using IommuFd.Interop;

namespace IommuFd.Bindings;

/// <summary>Flags of IOMMU_IOAS_MAP and IOMMU_IOAS_COPY (<c>enum iommufd_ioas_map_flags</c>).</summary>
[Flags]
public enum IoasMapFlags : uint
{
    /// <summary>No flag: the kernel refuses a map that is neither readable nor writeable (EINVAL).</summary>
    None = 0,
    /// <summary>The IOVA is given by the caller instead of allocated by the kernel.</summary>
    FixedIova = (uint)Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA,
    /// <summary>The device may write the memory.</summary>
    Writeable = (uint)Iommufd.IOMMU_IOAS_MAP_WRITEABLE,
    /// <summary>The device may read the memory.</summary>
    Readable = (uint)Iommufd.IOMMU_IOAS_MAP_READABLE,
    /// <summary>Readable and writeable: what most callers want.</summary>
    ReadWrite = Readable | Writeable,
}

/// <summary>Flags of IOMMU_HWPT_ALLOC (<c>enum iommufd_hwpt_alloc_flags</c>).</summary>
[Flags]
public enum HwptAllocFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>The HWPT may be the parent of nested HWPTs.</summary>
    NestParent = (uint)Iommufd.IOMMU_HWPT_ALLOC_NEST_PARENT,
    /// <summary>The domain supports dirty tracking.</summary>
    DirtyTracking = (uint)Iommufd.IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
    /// <summary><c>fault_id</c> names a fault queue that receives this HWPT's I/O page faults.</summary>
    FaultIdValid = (uint)Iommufd.IOMMU_HWPT_FAULT_ID_VALID,
}

/// <summary>Capabilities IOMMU_GET_HW_INFO reports (<c>enum iommufd_hw_capabilities</c>).</summary>
[Flags]
public enum HwCapabilities : ulong
{
    /// <summary>No capability.</summary>
    None = 0,
    /// <summary>The IOMMU can track dirty pages.</summary>
    DirtyTracking = (ulong)Iommufd.IOMMU_HW_CAP_DIRTY_TRACKING,
    /// <summary>PCI PASID execute permission is supported.</summary>
    PciPasidExec = (ulong)Iommufd.IOMMU_HW_CAP_PCI_PASID_EXEC,
    /// <summary>PCI PASID privileged mode is supported.</summary>
    PciPasidPriv = (ulong)Iommufd.IOMMU_HW_CAP_PCI_PASID_PRIV,
}

/// <summary>How an iommufd charges pinned pages (IOMMU_OPTION_RLIMIT_MODE): the values of <c>val64</c>.</summary>
public enum AccountMode : ulong
{
    /// <summary>Per-user <c>locked_vm</c> against RLIMIT_MEMLOCK: the default on <c>/dev/iommu</c>.</summary>
    User = 0,
    /// <summary>Per-process <c>mm->locked_vm</c>, as VFIO type1 does: the default on <c>/dev/vfio/vfio</c>.</summary>
    Mm = 1,
}
