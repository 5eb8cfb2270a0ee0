namespace IommuFd.Engine.Objects;

/// <summary>iommufd_device bound to a mock device. Mock devices each sit alone in their iommu group,
/// so the group's attachment (igroup->hwpt) is kept here. Users: the table's, one for the binding
/// driver until unbind, one while attached; so DESTROY by ID is always EBUSY.</summary>
internal sealed class Device(uint mockFlags) : IommufdObject(ObjectType.Device)
{
    /// <summary>MOCK_FLAGS_DEVICE_* of the mock device.</summary>
    public uint MockFlags { get; } = mockFlags;

    /// <summary>igroup->hwpt: the attached HWPT (paging or nested), or null.</summary>
    public Hwpt? Hwpt { get; set; }

    /// <summary>The attach handle of the current attachment (a new one per attach or replace): page
    /// requests delivered through it are answered automatically when it goes.</summary>
    public AttachHandle? Handle { get; set; }

    public override void Destroy() { }
}
