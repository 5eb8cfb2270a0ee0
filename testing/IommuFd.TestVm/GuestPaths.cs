namespace IommuFd.TestVm;

/// <summary>Fixed paths and variables the guest's init script sets up for the command.</summary>
public static class GuestPaths
{
    /// <summary>Where the writable <c>out</c> share is mounted in the guest.</summary>
    public const string Out = "/run/out";

    /// <summary>A writable HOME on tmpfs (the root file system is the host's, read-only).</summary>
    public const string Home = "/run/home";

    /// <summary>Set to 1 in the guest: tests use it to know they run inside the test VM.</summary>
    public const string InGuestVariable = "IOMMUFD_IN_GUEST";

    /// <summary>Set to the IOMMU model name (none, intel, amd, virtio) in the guest.</summary>
    public const string IommuVariable = "IOMMUFD_GUEST_IOMMU";

    /// <summary>Set to the guest path of the out share.</summary>
    public const string OutVariable = "IOMMUFD_GUEST_OUT";

    /// <summary>Space-separated PCI addresses of the edu devices bound to vfio-pci.</summary>
    public const string VfioDevicesVariable = "IOMMUFD_GUEST_VFIO_DEVICES";
}
