using IommuFd.Interop;

namespace IommuFd.Bindings.Tests.Backend;

/// <summary>A VFIO device cdev bound to the iommufd: needs a device bound to vfio-pci (the test VM has
/// one); skips with the reason where there is none.</summary>
public class VfioDeviceTests(BackendKind backend) : ContextFixture(backend)
{
    private string DevicePath { get; set; } = "/dev/vfio/devices/vfio0";

    private VfioDevice OpenDevice()
    {
        DevicePath = VfioDevicePath();
        int fd = Backend.Open(DevicePath);
        if (fd == -(int)Errno.ENOENT)
            Assert.Ignore($"no VFIO device cdev {DevicePath} on the {Kind.Name()} backend (no device bound to vfio-pci)");
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), $"open {DevicePath}: {ErrnoNames.Name(-fd)}");
        Backend.Close(fd);
        return VfioDevice.Open(Backend, DevicePath);
    }

    [Test]
    public void Nothing_but_bind_works_before_bind()
    {
        using VfioDevice device = OpenDevice();
        Assert.That(device.TryGetInfo(out _), Is.EqualTo(Errno.EINVAL));
        Assert.That(device.TryAttach(Context.CreateIoas().Id.Value, out _), Is.EqualTo(Errno.EINVAL));
    }

    [Test]
    public void Bind_refuses_a_negative_fd_and_an_fd_that_is_not_an_iommufd()
    {
        using VfioDevice device = OpenDevice();
        Assert.That(device.TryBindIommufd(-1, out _), Is.EqualTo(Errno.EINVAL));
        using IommuFdHandle.FdLease own = device.Handle.Borrow();
        Assert.That(device.TryBindIommufd(own.Fd, out _), Is.EqualTo(Errno.EBADFD));
    }

    [Test]
    public void Bind_returns_a_device_id_and_a_second_bind_is_EINVAL()
    {
        using VfioDevice device = OpenDevice();
        DeviceId id = device.BindIommufd(Context);
        Assert.That(id.Value, Is.Not.Zero);
        using IommuFdHandle.FdLease iommufd = Context.Handle.Borrow();
        Assert.That(device.TryBindIommufd(iommufd.Fd, out _), Is.EqualTo(Errno.EINVAL));
    }

    [Test]
    public void Attach_to_an_IOAS_gives_an_automatic_HWPT_that_goes_away_on_detach()
    {
        using VfioDevice device = OpenDevice();
        device.BindIommufd(Context);
        Ioas ioas = Context.CreateIoas();

        HwptId hwpt = device.AttachIoas(ioas.Id);
        Assert.That(hwpt.Value, Is.Not.EqualTo(ioas.Id.Value));
        Assert.That(device.AttachIoas(ioas.Id), Is.EqualTo(hwpt), "attaching again to the same IOAS is a replace onto the same domain");
        Assert.That(ioas.TryDestroy(), Is.EqualTo(Errno.EBUSY));

        device.Detach();
        Assert.That(Context.TryDestroy(hwpt), Is.EqualTo(Errno.ENOENT));
        Assert.That(ioas.TryDestroy(), Is.EqualTo(Errno.None));
    }

    [Test]
    public void Attach_to_a_missing_id_is_ENOENT()
    {
        using VfioDevice device = OpenDevice();
        device.BindIommufd(Context);
        Assert.That(device.TryAttach(999, out _), Is.EqualTo(Errno.ENOENT));
    }

    [Test]
    public void Config_space_starts_with_the_vendor_id_sysfs_reports()
    {
        using VfioDevice device = OpenDevice();
        device.BindIommufd(Context);
        VfioDeviceInfo info = device.GetInfo();
        Assert.That(info.Flags & VfioDeviceFlags.Pci, Is.EqualTo(VfioDeviceFlags.Pci));
        Assert.That(info.NumRegions, Is.GreaterThan((uint)Vfio.VFIO_PCI_CONFIG_REGION_INDEX));

        byte[] vendor = new byte[2];
        Assert.That(device.ReadConfig(0, vendor), Is.EqualTo(2));

        string sysfs = $"/sys/class/vfio-dev/{Path.GetFileName(DevicePath)}/device/vendor";
        if (File.Exists(sysfs))
            Assert.That(BitConverter.ToUInt16(vendor), Is.EqualTo(Convert.ToUInt16(File.ReadAllText(sysfs).Trim(), 16)));
        else
            Assert.That(BitConverter.ToUInt16(vendor), Is.Not.EqualTo(0xFFFF));
    }

    [Test]
    public void Region_and_irq_info_past_the_last_index_is_EINVAL()
    {
        using VfioDevice device = OpenDevice();
        device.BindIommufd(Context);
        VfioDeviceInfo info = device.GetInfo();
        VfioRegionInfo config = device.GetRegionInfo((uint)Vfio.VFIO_PCI_CONFIG_REGION_INDEX);
        Assert.That(config.Size, Is.GreaterThanOrEqualTo(256));
        Assert.That(config.Flags & (VfioRegionFlags.Read | VfioRegionFlags.Write), Is.EqualTo(VfioRegionFlags.Read | VfioRegionFlags.Write));
        Assert.That(device.TryGetRegionInfo(info.NumRegions + 100, out _), Is.EqualTo(Errno.EINVAL));
        Assert.That(device.TryGetIrqInfo(info.NumIrqs + 100, out _), Is.EqualTo(Errno.EINVAL));
    }
}
