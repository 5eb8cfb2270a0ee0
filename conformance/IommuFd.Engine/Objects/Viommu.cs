namespace IommuFd.Engine.Objects;

/// <summary>
/// iommufd_viommu of the selftest's mock driver (mock_viommu): a virtual IOMMU on a nesting-parent
/// paging HWPT, whose users reference it holds. Its virtual devices are indexed by virtual ID, its
/// event queues are one per type, its HW queues one per index. Allocated with driver data it owns an
/// mmap region of the iommufd file (<see cref="MmapOffset"/>).
/// </summary>
internal sealed class Viommu(IommufdContext ctx, HwptPaging hwpt) : IommufdObject(ObjectType.Viommu)
{
    public const uint TypeSelftest = 0xdeadbeef;  // IOMMU_VIOMMU_TYPE_SELFTEST
    public const int HwQueueMax = 2;              // IOMMU_TEST_HW_QUEUE_MAX

    /// <summary>viommu->hwpt: the nesting parent.</summary>
    public HwptPaging Hwpt { get; } = hwpt;

    /// <summary>viommu->vdevs: virtual ID → vDEVICE.</summary>
    public Dictionary<ulong, Vdevice> Vdevs { get; } = [];

    /// <summary>viommu->veventqs.</summary>
    public List<VeventQueue> Veventqs { get; } = [];

    /// <summary>mock_viommu->hw_queue[]: the HW queue at each index.</summary>
    public HwQueue?[] HwQueues { get; } = new HwQueue?[HwQueueMax];

    /// <summary>The mmap offset of the driver's two pages (0: none).</summary>
    public ulong MmapOffset { get; set; }

    /// <summary>iommufd_viommu_get_vdev_id: the virtual ID <paramref name="idev"/> has here, or null (ENOENT).</summary>
    public ulong? VirtIdOf(Device idev)
    {
        foreach ((ulong virtId, Vdevice vdev) in Vdevs.OrderBy(pair => pair.Key))
        {
            if (vdev.Idev == idev)
                return virtId;
        }
        return null;
    }

    /// <summary>iommufd_viommu_report_event: to the queue of <paramref name="type"/> (EOPNOTSUPP when there is none).</summary>
    public int ReportEvent(uint type, byte[] data)
    {
        VeventQueue? queue = Veventqs.Find(q => q.EventType == type);
        if (queue == null)
            return -Errno.EOPNOTSUPP;
        queue.Report(data);
        return 0;
    }

    /// <summary>iommufd_viommu_destroy: the driver frees its mmap region, the parent loses its reference.</summary>
    public override void Destroy()
    {
        if (MmapOffset != 0)
            ctx.Mmaps.Free(MmapOffset);
        MmapOffset = 0;
        Hwpt.Users--;
    }
}
