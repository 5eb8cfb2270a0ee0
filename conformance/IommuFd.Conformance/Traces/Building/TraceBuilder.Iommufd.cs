using IommuFd.Interop;

namespace IommuFd.Conformance.Traces.Building;

// The ioctls of iommufd.h. Each writes the fields it is given (a null field is omitted, so zero), in
// the order the traces write them; extra appends fields no parameter names (__reserved, size).
public sealed partial class TraceBuilder
{
    /// <summary>IOMMU_IOAS_ALLOC; the handle is the new IOAS's ID.</summary>
    public IoasHandle IoasAlloc(string label, TraceFd fd = default) =>
        new(label, Ioctl(label, nameof(Iommufd.IOMMU_IOAS_ALLOC), new Args(), fd).Index);

    /// <summary>IOMMU_IOAS_MAP at an IOVA the kernel picks (flags: READABLE | WRITEABLE unless given).</summary>
    public StepHandle IoasMap(string label, TraceValue ioas, TraceValue userVa, TraceValue length,
                              TraceValue? flags = null, Args? extra = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Iommufd.IOMMU_IOAS_MAP), new Args()
            .With("flags", flags ?? (Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE))
            .With("ioas_id", ioas).With("user_va", userVa).With("length", length).With(extra), fd);

    /// <summary>IOMMU_IOAS_MAP at a fixed IOVA (flags: FIXED_IOVA | READABLE | WRITEABLE unless given).</summary>
    public StepHandle IoasMapFixed(string label, TraceValue ioas, TraceValue userVa, TraceValue length, TraceValue iova,
                                   TraceValue? flags = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Iommufd.IOMMU_IOAS_MAP), new Args()
            .With("flags", flags ?? (Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE))
            .With("ioas_id", ioas).With("user_va", userVa).With("length", length).With("iova", iova), fd);

    /// <summary>IOMMU_IOAS_MAP_FILE (7.3) of <paramref name="length"/> bytes of the file <paramref name="file"/> from
    /// byte <paramref name="start"/>; at <paramref name="iova"/> when given (flags then default to FIXED_IOVA too).</summary>
    public StepHandle IoasMapFile(string label, TraceValue ioas, TraceValue file, TraceValue start, TraceValue length,
                                  TraceValue? iova = null, TraceValue? flags = null, TraceFd fd = default) =>
        Ioctl(label, nameof(IommuFd.Interop.Stable.Iommufd.IOMMU_IOAS_MAP_FILE), new Args()
            .With("flags", flags ?? (Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE
                                     | (iova is null ? 0 : Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA)))
            .With("ioas_id", ioas).With("fd", file).With("start", start).With("length", length).With("iova", iova), fd);

    /// <summary>IOMMU_IOAS_CHANGE_PROCESS (7.3), issued by <paramref name="proc"/> when given.</summary>
    public StepHandle IoasChangeProcess(string label, Args? extra = null, TraceFd fd = default, string? proc = null) =>
        Ioctl(label, nameof(IommuFd.Interop.Stable.Iommufd.IOMMU_IOAS_CHANGE_PROCESS), new Args().With(extra), fd, proc: proc);

    /// <summary>IOMMU_IOAS_UNMAP.</summary>
    public StepHandle IoasUnmap(string label, TraceValue ioas, TraceValue iova, TraceValue length, TraceFd fd = default) =>
        Ioctl(label, nameof(Iommufd.IOMMU_IOAS_UNMAP), new Args { ["ioas_id"] = ioas, ["iova"] = iova, ["length"] = length }, fd);

    /// <summary>IOMMU_IOAS_COPY (fields in the order flags, dst, src, length, src_iova, dst_iova).</summary>
    public StepHandle IoasCopy(string label, TraceValue flags, TraceValue dstIoas, TraceValue srcIoas, TraceValue length,
                               TraceValue srcIova, TraceValue? dstIova = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Iommufd.IOMMU_IOAS_COPY), new Args
        {
            ["flags"] = flags, ["dst_ioas_id"] = dstIoas, ["src_ioas_id"] = srcIoas, ["length"] = length, ["src_iova"] = srcIova,
        }.With("dst_iova", dstIova), fd);

    /// <summary>IOMMU_IOAS_IOVA_RANGES into <paramref name="allowedIovas"/> (room for <paramref name="numIovas"/>).</summary>
    public StepHandle IoasIovaRanges(string label, TraceValue ioas, TraceValue? numIovas = null, TraceValue? allowedIovas = null,
                                     Args? extra = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Iommufd.IOMMU_IOAS_IOVA_RANGES), new Args { ["ioas_id"] = ioas }
            .With("num_iovas", numIovas).With("allowed_iovas", allowedIovas).With(extra), fd);

    /// <summary>IOMMU_IOAS_ALLOW_IOVAS from the ranges at <paramref name="allowedIovas"/>.</summary>
    public StepHandle IoasAllowIovas(string label, TraceValue ioas, TraceValue numIovas, TraceValue allowedIovas,
                                     Args? extra = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Iommufd.IOMMU_IOAS_ALLOW_IOVAS), new Args
        {
            ["ioas_id"] = ioas, ["num_iovas"] = numIovas, ["allowed_iovas"] = allowedIovas,
        }.With(extra), fd);

    /// <summary>IOMMU_OPTION (<c>Iommufd.IOMMU_OPTION_*</c>, <c>IOMMU_OPTION_OP_*</c>).</summary>
    public StepHandle Option(string label, TraceValue optionId, TraceValue op, TraceValue? objectId = null, TraceValue? val64 = null,
                             Args? extra = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Iommufd.IOMMU_OPTION), new Args { ["option_id"] = optionId, ["op"] = op }
            .With("object_id", objectId).With("val64", val64).With(extra), fd);

    /// <summary>IOMMU_DESTROY of any object ID.</summary>
    public StepHandle Destroy(string label, TraceValue id, Args? extra = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Iommufd.IOMMU_DESTROY), new Args { ["id"] = id }.With(extra), fd);

    /// <summary>IOMMU_VFIO_IOAS (<c>Iommufd.IOMMU_VFIO_IOAS_GET/SET/CLEAR</c>).</summary>
    public StepHandle VfioIoas(string label, TraceValue op, TraceValue? ioas = null, Args? extra = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Iommufd.IOMMU_VFIO_IOAS), new Args { ["op"] = op }.With("ioas_id", ioas).With(extra), fd);

    /// <summary>IOMMU_HWPT_ALLOC; the handle is the new HWPT's ID. Nested HWPTs pass the data fields.</summary>
    public HwptHandle HwptAlloc(string label, TraceValue? flags, TraceValue? devId, TraceValue ptId,
                                TraceValue? dataType = null, TraceValue? dataLen = null, TraceValue? dataUptr = null,
                                TraceValue? faultId = null, Args? extra = null, TraceFd fd = default) =>
        new(label, Ioctl(label, nameof(Iommufd.IOMMU_HWPT_ALLOC), new Args()
            .With("flags", flags).With("dev_id", devId).With("pt_id", ptId).With("data_type", dataType)
            .With("data_len", dataLen).With("data_uptr", dataUptr).With("fault_id", faultId).With(extra), fd).Index);

    /// <summary>IOMMU_GET_HW_INFO into <paramref name="dataUptr"/>.</summary>
    public StepHandle GetHwInfo(string label, TraceValue? devId = null, TraceValue? dataLen = null, TraceValue? dataUptr = null,
                                TraceValue? flags = null, Args? extra = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Iommufd.IOMMU_GET_HW_INFO), new Args()
            .With("flags", flags).With("dev_id", devId).With("data_len", dataLen).With("data_uptr", dataUptr).With(extra), fd);

    /// <summary>IOMMU_HWPT_SET_DIRTY_TRACKING.</summary>
    public StepHandle HwptSetDirtyTracking(string label, TraceValue flags, TraceValue? hwpt = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Iommufd.IOMMU_HWPT_SET_DIRTY_TRACKING), new Args { ["flags"] = flags }.With("hwpt_id", hwpt), fd);

    /// <summary>IOMMU_HWPT_GET_DIRTY_BITMAP into the bitmap at <paramref name="data"/>.</summary>
    public StepHandle HwptGetDirtyBitmap(string label, TraceValue? hwpt = null, TraceValue? flags = null, TraceValue? iova = null,
                                         TraceValue? length = null, TraceValue? pageSize = null, TraceValue? data = null,
                                         Args? extra = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Iommufd.IOMMU_HWPT_GET_DIRTY_BITMAP), new Args()
            .With("hwpt_id", hwpt).With("flags", flags).With("iova", iova).With("length", length)
            .With("page_size", pageSize).With("data", data).With(extra), fd);

    /// <summary>IOMMU_HWPT_INVALIDATE of <paramref name="entryNum"/> entries at <paramref name="dataUptr"/>.</summary>
    public StepHandle HwptInvalidate(string label, TraceValue? hwpt = null, TraceValue? dataUptr = null, TraceValue? dataType = null,
                                     TraceValue? entryLen = null, TraceValue? entryNum = null, Args? extra = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Iommufd.IOMMU_HWPT_INVALIDATE), new Args()
            .With("hwpt_id", hwpt).With("data_uptr", dataUptr).With("data_type", dataType)
            .With("entry_len", entryLen).With("entry_num", entryNum).With(extra), fd);

    /// <summary>IOMMU_FAULT_QUEUE_ALLOC: the fault queue's fd is the next trace fd (<see cref="FdHandle.Fd"/>), its
    /// ID <see cref="FdHandle.FaultId"/>.</summary>
    public FdHandle FaultQueueAlloc(string label, TraceValue flags, TraceFd fd = default) =>
        (FdHandle)Ioctl(label, nameof(Iommufd.IOMMU_FAULT_QUEUE_ALLOC), new Args { ["flags"] = flags }, fd);
}
