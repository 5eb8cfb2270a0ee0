namespace IommuFd.Engine.Objects;

/// <summary>iommufd_vdevice: a device's identity (<see cref="VirtId"/>) behind a vIOMMU. Holds a users
/// reference on the vIOMMU and one on the device (so both DESTROYs are EBUSY while it lives); a device
/// has at most one. Unbinding the device destroys it and leaves its ID a tombstone.</summary>
internal sealed class Vdevice(Viommu viommu, Device idev, ulong virtId) : IommufdObject(ObjectType.Vdevice)
{
    public Viommu Viommu { get; } = viommu;

    public Device Idev { get; } = idev;

    public ulong VirtId { get; } = virtId;

    /// <summary>iommufd_vdevice_destroy (and _abort, which keeps the device reference for the caller to
    /// put): out of the vIOMMU's index if it got there, references dropped.</summary>
    public override void Destroy()
    {
        if (Viommu.Vdevs.TryGetValue(VirtId, out Vdevice? indexed) && indexed == this)
            Viommu.Vdevs.Remove(VirtId);
        Viommu.Users--;
        Idev.Vdev = null;
        Idev.Users--;
    }
}
