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

    /// <summary>idev->vdev (7.3): the device's one virtual device, which holds a users reference on it.</summary>
    public Vdevice? Vdev { get; set; }

    /// <summary>The mock device's viommu and vdev_id (7.3's mock_dev): set by every attach, to the vIOMMU
    /// and virtual ID behind a vIOMMU-based nested domain, else to none. TRIGGER_VEVENT reports there.</summary>
    public (Viommu Viommu, ulong VirtId)? MockViommu { get; set; }

    /// <summary>The mock device's cache entries (mdev->cache, MOCK_DEV_CACHE_NUM of them), which a
    /// vIOMMU invalidation clears.</summary>
    public uint[] Cache { get; } = [CacheDefault, CacheDefault, CacheDefault, CacheDefault];

    public const uint CacheDefault = 0xbaddad; // IOMMU_TEST_DEV_CACHE_DEFAULT

    public override void Destroy() { }
}
