namespace IommuFd.Engine.Objects;

/// <summary>iommufd_attach_handle: one attachment of a device to a HWPT. Page requests remember the
/// handle they came through, so a detach or replace answers exactly the requests of the attachment
/// that ends (iommufd_auto_response_faults).</summary>
internal sealed class AttachHandle(Device idev, Hwpt hwpt)
{
    public Device Idev { get; } = idev;

    public Hwpt Hwpt { get; } = hwpt;
}
