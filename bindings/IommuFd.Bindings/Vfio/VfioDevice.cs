using IommuFd.Bindings.Backends;
using IommuFd.Bindings.Internal;
using IommuFd.Interop;

namespace IommuFd.Bindings;

/// <summary>A VFIO device opened through its cdev (<c>/dev/vfio/devices/vfioN</c>). Nothing but
/// <see cref="BindIommufd"/> works until it is bound to an iommufd (EINVAL); after that it attaches to an
/// IOAS or HWPT, reports its regions and IRQs, and reads and writes config space and BARs.</summary>
public sealed partial class VfioDevice : IDisposable
{
    private VfioDevice(IIommuBackend backend, int fd)
    {
        Backend = backend;
        Handle = new IommuFdHandle(backend, fd);
    }

    /// <summary>The backend every call goes through.</summary>
    public IIommuBackend Backend { get; }

    /// <summary>The device fd; closing it detaches and unbinds the device.</summary>
    public IommuFdHandle Handle { get; }

    /// <summary>Opens a device cdev such as <c>/dev/vfio/devices/vfio0</c>.</summary>
    public static VfioDevice Open(IIommuBackend backend, string path)
    {
        ArgumentNullException.ThrowIfNull(backend);
        int fd = backend.Open(path);
        if (fd < 0)
            throw new IommuFdException("open " + path, -fd);
        return new VfioDevice(backend, fd);
    }

    /// <summary>Binds the device to <paramref name="iommufd"/> (VFIO_DEVICE_BIND_IOMMUFD) and returns its DEVICE id.</summary>
    public DeviceId BindIommufd(IommufdContext iommufd)
    {
        ArgumentNullException.ThrowIfNull(iommufd);
        using IommuFdHandle.FdLease ctx = iommufd.Handle.Borrow();
        Results.ThrowIfFailed(TryBindIommufd(ctx.Fd, out DeviceId id), nameof(Vfio.VFIO_DEVICE_BIND_IOMMUFD));
        return id;
    }

    /// <summary>VFIO_DEVICE_BIND_IOMMUFD with a raw fd (EBADF for a bad fd, EBADFD for one that is not an iommufd).</summary>
    public Errno TryBindIommufd(int iommufd, out DeviceId id)
    {
        var arg = new vfio_device_bind_iommufd { iommufd = iommufd };
        int rc;
        using (IommuFdHandle.FdLease fd = Handle.Borrow())
            rc = VfioIoctls.VFIO_DEVICE_BIND_IOMMUFD(Backend, fd.Fd, ref arg);
        id = new DeviceId(rc >= 0 ? arg.out_devid : 0);
        return ErrnoNames.FromResult(rc);
    }

    /// <summary>Attaches to <paramref name="ioas"/> through an automatic domain (VFIO_DEVICE_ATTACH_IOMMUFD_PT);
    /// returns that domain's HWPT. Attaching again replaces the attachment.</summary>
    public HwptId AttachIoas(IoasId ioas) => new(Attach(ioas.Value));

    /// <summary>Attaches to <paramref name="hwpt"/> (VFIO_DEVICE_ATTACH_IOMMUFD_PT); returns the HWPT attached.
    /// Attaching again replaces the attachment.</summary>
    public HwptId AttachHwpt(HwptId hwpt) => new(Attach(hwpt.Value));

    private uint Attach(uint ptId)
    {
        Results.ThrowIfFailed(TryAttach(ptId, out uint attached), nameof(Vfio.VFIO_DEVICE_ATTACH_IOMMUFD_PT));
        return attached;
    }

    /// <summary>VFIO_DEVICE_ATTACH_IOMMUFD_PT with a raw id; <paramref name="attached"/> is the <c>pt_id</c> the
    /// kernel wrote back (for a physical device the HWPT, also when an IOAS was given).</summary>
    public Errno TryAttach(uint ptId, out uint attached)
    {
        var arg = new vfio_device_attach_iommufd_pt { pt_id = ptId };
        int rc;
        using (IommuFdHandle.FdLease fd = Handle.Borrow())
            rc = VfioIoctls.VFIO_DEVICE_ATTACH_IOMMUFD_PT(Backend, fd.Fd, ref arg);
        attached = rc >= 0 ? arg.pt_id : 0;
        return ErrnoNames.FromResult(rc);
    }

    /// <summary>Detaches from the IOAS or HWPT (VFIO_DEVICE_DETACH_IOMMUFD_PT); a no-op when not attached.</summary>
    public void Detach() => Results.ThrowIfFailed(TryDetach(), nameof(Vfio.VFIO_DEVICE_DETACH_IOMMUFD_PT));

    /// <summary>VFIO_DEVICE_DETACH_IOMMUFD_PT, returning the errno.</summary>
    public Errno TryDetach()
    {
        var arg = new vfio_device_detach_iommufd_pt();
        using IommuFdHandle.FdLease fd = Handle.Borrow();
        return ErrnoNames.FromResult(VfioIoctls.VFIO_DEVICE_DETACH_IOMMUFD_PT(Backend, fd.Fd, ref arg));
    }

    /// <summary>Resets the device (VFIO_DEVICE_RESET).</summary>
    public void Reset() => Results.ThrowIfFailed(TryReset(), nameof(Vfio.VFIO_DEVICE_RESET));

    /// <summary>VFIO_DEVICE_RESET, returning the errno.</summary>
    public unsafe Errno TryReset()
    {
        using IommuFdHandle.FdLease fd = Handle.Borrow();
        return ErrnoNames.FromResult(Backend.Ioctl(fd.Fd, Vfio.VFIO_DEVICE_RESET, null));
    }

    /// <summary>Closes the device fd, which detaches and unbinds it.</summary>
    public void Dispose() => Handle.Dispose();
}
