namespace IommuFd.Engine.Objects;

/// <summary>selftest_obj of TYPE_IDEV (IOMMU_TEST_OP_MOCK_DOMAIN): owns a mock device, its binding and
/// its attachment. Destroying it detaches and unbinds (selftest_object_destroy).</summary>
internal sealed class SelftestDevice(IommufdContext ctx) : IommufdObject(ObjectType.Selftest)
{
    /// <summary>The bound iommufd_device (set once bound).</summary>
    public Device? Idev { get; set; }

    public override void Destroy()
    {
        if (Idev == null)
            return;
        Devices.DeviceAttach.Detach(ctx, Idev);
        Devices.DeviceAttach.Unbind(ctx, Idev);
        Idev = null;
    }
}
