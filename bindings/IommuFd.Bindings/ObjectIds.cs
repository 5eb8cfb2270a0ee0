namespace IommuFd.Bindings;

// One type per iommufd object kind, so an IOAS id cannot be passed where a HWPT id is expected.
// The kernel numbers all kinds from one space starting at 1; 0 is never an object.

/// <summary>Any iommufd object id: what IOMMU_DESTROY accepts.</summary>
public interface IObjectId
{
    /// <summary>The raw object id.</summary>
    uint Value { get; }
}

/// <summary>The id of an I/O address space (IOMMU_IOAS_ALLOC).</summary>
/// <param name="Value">The raw object id.</param>
public readonly record struct IoasId(uint Value) : IObjectId
{
    /// <inheritdoc/>
    public override string ToString() => $"IOAS {Value}";
}

/// <summary>The id of a hardware page table, paging or nested (IOMMU_HWPT_ALLOC, or the automatic
/// domain an attach to an IOAS created).</summary>
/// <param name="Value">The raw object id.</param>
public readonly record struct HwptId(uint Value) : IObjectId
{
    /// <inheritdoc/>
    public override string ToString() => $"HWPT {Value}";
}

/// <summary>The id of a device bound to the iommufd (VFIO_DEVICE_BIND_IOMMUFD or a selftest mock device).</summary>
/// <param name="Value">The raw object id.</param>
public readonly record struct DeviceId(uint Value) : IObjectId
{
    /// <inheritdoc/>
    public override string ToString() => $"DEVICE {Value}";
}

/// <summary>The id of an in-kernel access object (emulated devices, the selftest's access fd).</summary>
/// <param name="Value">The raw object id.</param>
public readonly record struct AccessId(uint Value) : IObjectId
{
    /// <inheritdoc/>
    public override string ToString() => $"ACCESS {Value}";
}

/// <summary>The id of a fault queue (IOMMU_FAULT_QUEUE_ALLOC).</summary>
/// <param name="Value">The raw object id.</param>
public readonly record struct FaultId(uint Value) : IObjectId
{
    /// <inheritdoc/>
    public override string ToString() => $"FAULT {Value}";
}

/// <summary>The id of a selftest mock device object (IOMMU_TEST_OP_MOCK_DOMAIN's <c>out_stdev_id</c>);
/// destroying it detaches and unbinds the mock device.</summary>
/// <param name="Value">The raw object id.</param>
public readonly record struct SelftestId(uint Value) : IObjectId
{
    /// <inheritdoc/>
    public override string ToString() => $"SELFTEST {Value}";
}
