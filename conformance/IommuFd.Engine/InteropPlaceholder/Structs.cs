// TEMPORARY stand-in for the generator's output until it lands on main; deleted at the merge.
#pragma warning disable CS1591, IDE1006
using System.Runtime.InteropServices;
namespace IommuFd.Interop;

[StructLayout(LayoutKind.Explicit, Size = 8)] public struct iommu_destroy {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint id;
}
[StructLayout(LayoutKind.Explicit, Size = 12)] public struct iommu_ioas_alloc {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint flags;
    [FieldOffset(8)] public uint out_ioas_id;
}
[StructLayout(LayoutKind.Explicit, Size = 16)] public struct iommu_iova_range {
    [FieldOffset(0)] public ulong start;
    [FieldOffset(8)] public ulong last;
}
[StructLayout(LayoutKind.Explicit, Size = 32)] public struct iommu_ioas_iova_ranges {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint ioas_id;
    [FieldOffset(8)] public uint num_iovas;
    [FieldOffset(12)] public uint __reserved;
    [FieldOffset(16)] public ulong allowed_iovas;
    [FieldOffset(24)] public ulong out_iova_alignment;
}
[StructLayout(LayoutKind.Explicit, Size = 24)] public struct iommu_ioas_allow_iovas {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint ioas_id;
    [FieldOffset(8)] public uint num_iovas;
    [FieldOffset(12)] public uint __reserved;
    [FieldOffset(16)] public ulong allowed_iovas;
}
[StructLayout(LayoutKind.Explicit, Size = 40)] public struct iommu_ioas_map {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint flags;
    [FieldOffset(8)] public uint ioas_id;
    [FieldOffset(12)] public uint __reserved;
    [FieldOffset(16)] public ulong user_va;
    [FieldOffset(24)] public ulong length;
    [FieldOffset(32)] public ulong iova;
}
[StructLayout(LayoutKind.Explicit, Size = 40)] public struct iommu_ioas_copy {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint flags;
    [FieldOffset(8)] public uint dst_ioas_id;
    [FieldOffset(12)] public uint src_ioas_id;
    [FieldOffset(16)] public ulong length;
    [FieldOffset(24)] public ulong dst_iova;
    [FieldOffset(32)] public ulong src_iova;
}
[StructLayout(LayoutKind.Explicit, Size = 24)] public struct iommu_ioas_unmap {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint ioas_id;
    [FieldOffset(8)] public ulong iova;
    [FieldOffset(16)] public ulong length;
}
[StructLayout(LayoutKind.Explicit, Size = 24)] public struct iommu_option {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint option_id;
    [FieldOffset(8)] public ushort op;
    [FieldOffset(10)] public ushort __reserved;
    [FieldOffset(12)] public uint object_id;
    [FieldOffset(16)] public ulong val64;
}
[StructLayout(LayoutKind.Explicit, Size = 12)] public struct iommu_vfio_ioas {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint ioas_id;
    [FieldOffset(8)] public ushort op;
    [FieldOffset(10)] public ushort __reserved;
}
[StructLayout(LayoutKind.Explicit, Size = 48)] public struct iommu_hwpt_alloc {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint flags;
    [FieldOffset(8)] public uint dev_id;
    [FieldOffset(12)] public uint pt_id;
    [FieldOffset(16)] public uint out_hwpt_id;
    [FieldOffset(20)] public uint __reserved;
    [FieldOffset(24)] public uint data_type;
    [FieldOffset(28)] public uint data_len;
    [FieldOffset(32)] public ulong data_uptr;
    [FieldOffset(40)] public uint fault_id;
    [FieldOffset(44)] public uint __reserved2;
}
[StructLayout(LayoutKind.Explicit, Size = 40)] public unsafe struct iommu_hw_info {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint flags;
    [FieldOffset(8)] public uint dev_id;
    [FieldOffset(12)] public uint data_len;
    [FieldOffset(16)] public ulong data_uptr;
    [FieldOffset(24)] public uint out_data_type;
    [FieldOffset(28)] public byte out_max_pasid_log2;
    [FieldOffset(29)] public unsafe fixed byte __reserved[3];
    [FieldOffset(32)] public ulong out_capabilities;
}
[StructLayout(LayoutKind.Explicit, Size = 16)] public struct iommu_hwpt_set_dirty_tracking {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint flags;
    [FieldOffset(8)] public uint hwpt_id;
    [FieldOffset(12)] public uint __reserved;
}
[StructLayout(LayoutKind.Explicit, Size = 48)] public struct iommu_hwpt_get_dirty_bitmap {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint hwpt_id;
    [FieldOffset(8)] public uint flags;
    [FieldOffset(12)] public uint __reserved;
    [FieldOffset(16)] public ulong iova;
    [FieldOffset(24)] public ulong length;
    [FieldOffset(32)] public ulong page_size;
    [FieldOffset(40)] public ulong data;
}
[StructLayout(LayoutKind.Explicit, Size = 32)] public struct iommu_hwpt_invalidate {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint hwpt_id;
    [FieldOffset(8)] public ulong data_uptr;
    [FieldOffset(16)] public uint data_type;
    [FieldOffset(20)] public uint entry_len;
    [FieldOffset(24)] public uint entry_num;
    [FieldOffset(28)] public uint __reserved;
}
[StructLayout(LayoutKind.Explicit, Size = 16)] public struct iommu_fault_alloc {
    [FieldOffset(0)] public uint size;
    [FieldOffset(4)] public uint flags;
    [FieldOffset(8)] public uint out_fault_id;
    [FieldOffset(12)] public uint out_fault_fd;
}
[StructLayout(LayoutKind.Explicit, Size = 24)] public struct vfio_iommu_type1_info {
    [FieldOffset(0)] public uint argsz;
    [FieldOffset(4)] public uint flags;
    [FieldOffset(8)] public ulong iova_pgsizes;
    [FieldOffset(16)] public uint cap_offset;
    [FieldOffset(20)] public uint pad;
}
[StructLayout(LayoutKind.Explicit, Size = 8)] public struct vfio_info_cap_header {
    [FieldOffset(0)] public ushort id;
    [FieldOffset(2)] public ushort version;
    [FieldOffset(4)] public uint next;
}
[StructLayout(LayoutKind.Explicit, Size = 12)] public struct vfio_iommu_type1_info_dma_avail {
    [FieldOffset(0)] public vfio_info_cap_header header;
    [FieldOffset(8)] public uint avail;
}
[StructLayout(LayoutKind.Explicit, Size = 16)] public struct vfio_iommu_type1_info_cap_iova_range {
    [FieldOffset(0)] public vfio_info_cap_header header;
    [FieldOffset(8)] public uint nr_iovas;
    [FieldOffset(12)] public uint reserved;
}
[StructLayout(LayoutKind.Explicit, Size = 16)] public struct vfio_iova_range {
    [FieldOffset(0)] public ulong start;
    [FieldOffset(8)] public ulong end;
}
[StructLayout(LayoutKind.Explicit, Size = 32)] public struct vfio_iommu_type1_dma_map {
    [FieldOffset(0)] public uint argsz;
    [FieldOffset(4)] public uint flags;
    [FieldOffset(8)] public ulong vaddr;
    [FieldOffset(16)] public ulong iova;
    [FieldOffset(24)] public ulong size;
}
[StructLayout(LayoutKind.Explicit, Size = 24)] public struct vfio_iommu_type1_dma_unmap {
    [FieldOffset(0)] public uint argsz;
    [FieldOffset(4)] public uint flags;
    [FieldOffset(8)] public ulong iova;
    [FieldOffset(16)] public ulong size;
}
