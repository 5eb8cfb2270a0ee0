using IommuFd.Bindings.Backends;
using IommuFd.Bindings.Internal;
using IommuFd.Interop;

namespace IommuFd.Bindings;

/// <summary>An open iommufd (<c>/dev/iommu</c>, or <c>/dev/vfio/vfio</c> when iommufd provides it):
/// the context that owns IOAS, HWPT, device, access and fault objects. Every call comes as a
/// throwing method and a <c>Try...</c> method that returns the kernel's errno instead.</summary>
public sealed partial class IommufdContext : IDisposable
{
    /// <summary>The iommufd device node.</summary>
    public const string DefaultPath = "/dev/iommu";

    private IommufdContext(IIommuBackend backend, int fd)
    {
        Backend = backend;
        Handle = new IommuFdHandle(backend, fd);
        Selftest = new IommufdSelftest(this);
    }

    /// <summary>The backend every call goes through.</summary>
    public IIommuBackend Backend { get; }

    /// <summary>The iommufd itself; closing it destroys every object of the context.</summary>
    public IommuFdHandle Handle { get; }

    /// <summary>The selftest commands (IOMMU_TEST_CMD), for kernels built with CONFIG_IOMMUFD_TEST and the engine.</summary>
    public IommufdSelftest Selftest { get; }

    /// <summary>Opens <paramref name="path"/> through <paramref name="backend"/>.</summary>
    /// <exception cref="IommuFdException">The open failed (ENOENT when the node does not exist).</exception>
    public static IommufdContext Open(IIommuBackend backend, string path = DefaultPath)
    {
        Results.ThrowIfFailed(TryOpen(backend, path, out IommufdContext? context), "open " + path);
        return context!;
    }

    /// <summary>Opens <paramref name="path"/> through <paramref name="backend"/>, returning the errno on failure.</summary>
    public static Errno TryOpen(IIommuBackend backend, string path, out IommufdContext? context)
    {
        ArgumentNullException.ThrowIfNull(backend);
        int fd = backend.Open(path);
        context = fd >= 0 ? new IommufdContext(backend, fd) : null;
        return ErrnoNames.FromResult(fd);
    }

    /// <summary>Allocates an empty IOAS (IOMMU_IOAS_ALLOC).</summary>
    public Ioas CreateIoas()
    {
        Results.ThrowIfFailed(TryCreateIoas(out Ioas? ioas), nameof(Iommufd.IOMMU_IOAS_ALLOC));
        return ioas!;
    }

    /// <summary>Allocates an empty IOAS (IOMMU_IOAS_ALLOC), returning the errno on failure.</summary>
    public Errno TryCreateIoas(out Ioas? ioas)
    {
        var arg = new iommu_ioas_alloc();
        int rc;
        using (IommuFdHandle.FdLease fd = Handle.Borrow())
            rc = IommufdIoctls.IOMMU_IOAS_ALLOC(Backend, fd.Fd, ref arg);
        ioas = rc >= 0 ? new Ioas(this, new IoasId(arg.out_ioas_id)) : null;
        return ErrnoNames.FromResult(rc);
    }

    /// <summary>An <see cref="Ioas"/> for an IOAS id obtained elsewhere (e.g. the VFIO compat IOAS).</summary>
    public Ioas OpenIoas(IoasId id) => new(this, id);

    /// <summary>Destroys any object by id (IOMMU_DESTROY).</summary>
    public void Destroy<TId>(TId id) where TId : struct, IObjectId =>
        Results.ThrowIfFailed(TryDestroy(id), nameof(Iommufd.IOMMU_DESTROY));

    /// <summary>Destroys any object by id (IOMMU_DESTROY): ENOENT for an unknown id, EBUSY while it is in use.</summary>
    public Errno TryDestroy<TId>(TId id) where TId : struct, IObjectId => TryDestroy(id.Value);

    /// <summary>IOMMU_DESTROY of a raw id, for tests that name ids no typed handle has.</summary>
    public Errno TryDestroy(uint id)
    {
        var arg = new iommu_destroy { id = id };
        using IommuFdHandle.FdLease fd = Handle.Borrow();
        return ErrnoNames.FromResult(IommufdIoctls.IOMMU_DESTROY(Backend, fd.Fd, ref arg));
    }

    /// <summary>Reads how the context charges pinned pages (IOMMU_OPTION_RLIMIT_MODE, GET).</summary>
    public AccountMode GetAccountMode()
    {
        Results.ThrowIfFailed(TryGetAccountMode(out AccountMode mode), nameof(Iommufd.IOMMU_OPTION));
        return mode;
    }

    /// <summary>Reads the accounting mode, returning the errno on failure.</summary>
    public Errno TryGetAccountMode(out AccountMode mode)
    {
        ulong value = 0;
        Errno errno = TryOption((uint)Iommufd.IOMMU_OPTION_RLIMIT_MODE, (ushort)Iommufd.IOMMU_OPTION_OP_GET, 0, ref value);
        mode = (AccountMode)value;
        return errno;
    }

    /// <summary>Sets the accounting mode (IOMMU_OPTION_RLIMIT_MODE, SET): needs CAP_SYS_RESOURCE (EPERM)
    /// and a context without objects (EBUSY).</summary>
    public void SetAccountMode(AccountMode mode) =>
        Results.ThrowIfFailed(TrySetAccountMode(mode), nameof(Iommufd.IOMMU_OPTION));

    /// <summary>Sets the accounting mode, returning the errno on failure.</summary>
    public Errno TrySetAccountMode(AccountMode mode)
    {
        ulong value = (ulong)mode;
        return TryOption((uint)Iommufd.IOMMU_OPTION_RLIMIT_MODE, (ushort)Iommufd.IOMMU_OPTION_OP_SET, 0, ref value);
    }

    /// <summary>IOMMU_OPTION with every field chosen by the caller. On success a GET writes the
    /// option's value to <paramref name="value"/>; the kernel copies back only <c>val64</c>.</summary>
    public Errno TryOption(uint optionId, ushort op, uint objectId, ref ulong value)
    {
        var arg = new iommu_option { option_id = optionId, op = op, object_id = objectId, val64 = value };
        int rc;
        using (IommuFdHandle.FdLease fd = Handle.Borrow())
            rc = IommufdIoctls.IOMMU_OPTION(Backend, fd.Fd, ref arg);
        if (rc >= 0)
            value = arg.val64;
        return ErrnoNames.FromResult(rc);
    }

    /// <summary>The IOAS VFIO container compat ioctls work on (IOMMU_VFIO_IOAS, GET).</summary>
    /// <exception cref="IommuFdException">ENODEV when none is set.</exception>
    public IoasId GetVfioIoas()
    {
        Results.ThrowIfFailed(TryGetVfioIoas(out IoasId id), nameof(Iommufd.IOMMU_VFIO_IOAS));
        return id;
    }

    /// <summary>IOMMU_VFIO_IOAS GET, returning the errno (ENODEV when none is set).</summary>
    public Errno TryGetVfioIoas(out IoasId id)
    {
        uint raw = 0;
        Errno errno = TryVfioIoas((ushort)Iommufd.IOMMU_VFIO_IOAS_GET, ref raw);
        id = new IoasId(raw);
        return errno;
    }

    /// <summary>Makes <paramref name="id"/> the IOAS of VFIO container compat (IOMMU_VFIO_IOAS, SET).</summary>
    public void SetVfioIoas(IoasId id) => Results.ThrowIfFailed(TrySetVfioIoas(id), nameof(Iommufd.IOMMU_VFIO_IOAS));

    /// <summary>IOMMU_VFIO_IOAS SET, returning the errno (ENOENT for an id that is not an IOAS).</summary>
    public Errno TrySetVfioIoas(IoasId id)
    {
        uint raw = id.Value;
        return TryVfioIoas((ushort)Iommufd.IOMMU_VFIO_IOAS_SET, ref raw);
    }

    /// <summary>Forgets the VFIO compat IOAS without destroying it (IOMMU_VFIO_IOAS, CLEAR).</summary>
    public void ClearVfioIoas() => Results.ThrowIfFailed(TryClearVfioIoas(), nameof(Iommufd.IOMMU_VFIO_IOAS));

    /// <summary>IOMMU_VFIO_IOAS CLEAR, returning the errno.</summary>
    public Errno TryClearVfioIoas()
    {
        uint raw = 0;
        return TryVfioIoas((ushort)Iommufd.IOMMU_VFIO_IOAS_CLEAR, ref raw);
    }

    /// <summary>IOMMU_VFIO_IOAS with any <paramref name="op"/>; <paramref name="ioasId"/> goes in and,
    /// for GET, comes back.</summary>
    public Errno TryVfioIoas(ushort op, ref uint ioasId)
    {
        var arg = new iommu_vfio_ioas { ioas_id = ioasId, op = op };
        int rc;
        using (IommuFdHandle.FdLease fd = Handle.Borrow())
            rc = IommufdIoctls.IOMMU_VFIO_IOAS(Backend, fd.Fd, ref arg);
        if (rc >= 0)
            ioasId = arg.ioas_id;
        return ErrnoNames.FromResult(rc);
    }

    /// <summary>A VFIO type1 container view of this iommufd: the compat ioctls answered on the same fd.</summary>
    public VfioContainer AsVfioContainer() => new(Backend, Handle, ownsHandle: false);

    /// <summary>Closes the iommufd.</summary>
    public void Dispose() => Handle.Dispose();
}
