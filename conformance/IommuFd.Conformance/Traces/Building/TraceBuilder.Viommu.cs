using IommuFd.Interop;
using Stable = IommuFd.Interop.Stable;

namespace IommuFd.Conformance.Traces.Building;

// 7.3's vIOMMU ioctls (the newest kernel's iommufd.h) and their selftest ops. Their fields keep
// the C names; a trace that calls them applies to 7.3 and newer (its KernelRange).
public sealed partial class TraceBuilder
{
    /// <summary>IOMMU_VIOMMU_ALLOC (type: <c>IOMMU_VIOMMU_TYPE_*</c>); the handle's <c>out_viommu_id</c> is the vIOMMU.</summary>
    public StepHandle ViommuAlloc(string label, TraceValue devId, TraceValue hwptId, TraceValue type,
                                  TraceValue? dataLen = null, TraceValue? dataUptr = null, Args? extra = null, TraceFd fd = default) =>
        Ioctl(label, nameof(Stable.Iommufd.IOMMU_VIOMMU_ALLOC), new Args { ["type"] = type, ["dev_id"] = devId, ["hwpt_id"] = hwptId }
            .With("data_len", dataLen).With("data_uptr", dataUptr).With(extra), fd);

    /// <summary>IOMMU_VDEVICE_ALLOC: <paramref name="devId"/> as <paramref name="virtId"/> behind a vIOMMU
    /// (<c>out_vdevice_id</c>).</summary>
    public StepHandle VdeviceAlloc(string label, TraceValue viommuId, TraceValue devId, TraceValue virtId, TraceFd fd = default) =>
        Ioctl(label, nameof(Stable.Iommufd.IOMMU_VDEVICE_ALLOC), new Args { ["viommu_id"] = viommuId, ["dev_id"] = devId, ["virt_id"] = virtId }, fd);

    /// <summary>IOMMU_VEVENTQ_ALLOC: the queue's fd is the next trace fd (<see cref="FdHandle.Fd"/>, read with
    /// <see cref="FdRead"/>), its ID <c>out_veventq_id</c>.</summary>
    public FdHandle VeventqAlloc(string label, TraceValue viommuId, TraceValue type, TraceValue depth, Args? extra = null, TraceFd fd = default) =>
        (FdHandle)Ioctl(label, nameof(Stable.Iommufd.IOMMU_VEVENTQ_ALLOC), new Args
        {
            ["viommu_id"] = viommuId, ["type"] = type, ["veventq_depth"] = depth,
        }.With(extra), fd);

    /// <summary>IOMMU_HW_QUEUE_ALLOC of queue <paramref name="index"/> over
    /// [<paramref name="iova"/>, +<paramref name="length"/>) of the nesting parent (<c>out_hw_queue_id</c>).</summary>
    public StepHandle HwQueueAlloc(string label, TraceValue viommuId, TraceValue type, TraceValue index, TraceValue iova, TraceValue length,
                                   TraceFd fd = default) =>
        Ioctl(label, nameof(Stable.Iommufd.IOMMU_HW_QUEUE_ALLOC), new Args
        {
            ["viommu_id"] = viommuId, ["type"] = type, ["index"] = index, ["nesting_parent_iova"] = iova, ["length"] = length,
        }, fd);

    /// <summary>IOMMU_TEST_OP_DEV_CHECK_CACHE: cache entry <paramref name="cacheId"/> of a mock device holds
    /// <paramref name="cache"/>. Its check_dev_cache {u32 id, u32 cache} is not in 6.12's struct, whose
    /// check_map.iova has the same bytes: the trace writes that.</summary>
    public StepHandle TestDevCheckCache(string label, TraceValue devId, uint cacheId, uint cache, TraceFd fd = default) =>
        TestCmd(label, Stable.IommufdTest.IOMMU_TEST_OP_DEV_CHECK_CACHE, devId, "check_map",
            new Args { ["iova"] = cacheId | ((ulong)cache << 32) }, fd);

    /// <summary>IOMMU_TEST_OP_TRIGGER_VEVENT: a mock device reports an event to its vIOMMU's SELFTEST queue.
    /// trigger_vevent {u32 dev_id} is written as the low half of 6.12's check_map.iova.</summary>
    public StepHandle TestTriggerVevent(string label, TraceValue devId, TraceFd fd = default) =>
        TestCmd(label, Stable.IommufdTest.IOMMU_TEST_OP_TRIGGER_VEVENT, null, "check_map", new Args { ["iova"] = devId }, fd);
}
