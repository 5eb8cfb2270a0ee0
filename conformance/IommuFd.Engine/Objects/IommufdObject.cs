namespace IommuFd.Engine.Objects;

/// <summary>iommufd_object_type (internal, never in the uAPI): 6.12's kinds, then the vIOMMU kinds 7.3 adds.</summary>
internal enum ObjectType
{
    Any = 0, Device = 1, HwptPaging = 2, HwptNested = 3, Ioas = 4, Access = 5, Fault = 6, Selftest = 7,
    Viommu = 8, Vdevice = 9, Veventq = 10, HwQueue = 11,
}

/// <summary>iommufd_object: an ID in the context's table with its reference counts.</summary>
internal abstract class IommufdObject(ObjectType type)
{
    public ObjectType Type { get; } = type;

    /// <summary>0 until the table assigns an ID.</summary>
    public uint Id { get; internal set; }

    /// <summary>Long-term holders; starts at 1 for the table's own reference. DESTROY needs exactly 1.</summary>
    public int Users = 1;

    /// <summary>Called once when the object leaves the table (DESTROY, close, abort).</summary>
    public abstract void Destroy();
}
