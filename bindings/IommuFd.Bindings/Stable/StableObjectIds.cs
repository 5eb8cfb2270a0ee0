namespace IommuFd.Bindings;

// The object kinds Linux 7.3 adds; the same id space as the others (ObjectIds.cs).

/// <summary>The id of a virtual IOMMU (IOMMU_VIOMMU_ALLOC).</summary>
/// <param name="Value">The raw object id.</param>
public readonly record struct ViommuId(uint Value) : IObjectId
{
    /// <inheritdoc/>
    public override string ToString() => $"VIOMMU {Value}";
}

/// <summary>The id of a virtual device: a device's identity behind a vIOMMU (IOMMU_VDEVICE_ALLOC).</summary>
/// <param name="Value">The raw object id.</param>
public readonly record struct VdeviceId(uint Value) : IObjectId
{
    /// <inheritdoc/>
    public override string ToString() => $"VDEVICE {Value}";
}

/// <summary>The id of a vIOMMU event queue (IOMMU_VEVENTQ_ALLOC).</summary>
/// <param name="Value">The raw object id.</param>
public readonly record struct VeventQueueId(uint Value) : IObjectId
{
    /// <inheritdoc/>
    public override string ToString() => $"VEVENTQ {Value}";
}

/// <summary>The id of a hardware queue of a vIOMMU (IOMMU_HW_QUEUE_ALLOC).</summary>
/// <param name="Value">The raw object id.</param>
public readonly record struct HwQueueId(uint Value) : IObjectId
{
    /// <inheritdoc/>
    public override string ToString() => $"HW_QUEUE {Value}";
}
