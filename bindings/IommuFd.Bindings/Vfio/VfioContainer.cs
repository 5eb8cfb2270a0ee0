using System.Runtime.InteropServices;
using IommuFd.Bindings.Backends;
using IommuFd.Bindings.Internal;
using IommuFd.Interop;

namespace IommuFd.Bindings;

/// <summary>The VFIO type1 container API, as iommufd answers it on <c>/dev/vfio/vfio</c> or on any
/// iommufd: it works on the context's compat IOAS (ENODEV when there is none).</summary>
public sealed unsafe class VfioContainer : IDisposable
{
    /// <summary>The legacy VFIO container node.</summary>
    public const string DefaultPath = "/dev/vfio/vfio";

    private readonly bool _ownsHandle;

    internal VfioContainer(IIommuBackend backend, IommuFdHandle handle, bool ownsHandle)
    {
        Backend = backend;
        Handle = handle;
        _ownsHandle = ownsHandle;
    }

    /// <summary>The backend every call goes through.</summary>
    public IIommuBackend Backend { get; }

    /// <summary>The container fd (which is an iommufd).</summary>
    public IommuFdHandle Handle { get; }

    /// <summary>Opens a container node; with iommufd's VFIO container support it is an iommufd in MM accounting mode.</summary>
    public static VfioContainer Open(IIommuBackend backend, string path = DefaultPath)
    {
        ArgumentNullException.ThrowIfNull(backend);
        int fd = backend.Open(path);
        if (fd < 0)
            throw new IommuFdException("open " + path, -fd);
        return new VfioContainer(backend, new IommuFdHandle(backend, fd), ownsHandle: true);
    }

    /// <summary>VFIO_GET_API_VERSION: VFIO_API_VERSION (0).</summary>
    public int GetApiVersion() => IommuFdException.ThrowIfError(TryGetApiVersion(), nameof(Vfio.VFIO_GET_API_VERSION));

    /// <summary>VFIO_GET_API_VERSION: the version, or a negative errno.</summary>
    public int TryGetApiVersion() => RawIoctl(Vfio.VFIO_GET_API_VERSION, 0);

    /// <summary>VFIO_CHECK_EXTENSION: positive when <paramref name="extension"/> (e.g. VFIO_TYPE1v2_IOMMU) is supported, 0 when not.</summary>
    public int CheckExtension(uint extension) =>
        IommuFdException.ThrowIfError(TryCheckExtension(extension), nameof(Vfio.VFIO_CHECK_EXTENSION));

    /// <summary>VFIO_CHECK_EXTENSION: the answer, or a negative errno.</summary>
    public int TryCheckExtension(uint extension) => RawIoctl(Vfio.VFIO_CHECK_EXTENSION, extension);

    /// <summary>VFIO_SET_IOMMU with <paramref name="type"/> (VFIO_TYPE1_IOMMU disables huge pages on the compat IOAS).</summary>
    public void SetIommu(uint type) => IommuFdException.ThrowIfError(TrySetIommu(type), nameof(Vfio.VFIO_SET_IOMMU));

    /// <summary>VFIO_SET_IOMMU: 0, or a negative errno.</summary>
    public int TrySetIommu(uint type) => RawIoctl(Vfio.VFIO_SET_IOMMU, type);

    /// <summary>Maps <paramref name="size"/> bytes at <paramref name="vaddr"/> to <paramref name="iova"/> (VFIO_IOMMU_MAP_DMA).</summary>
    public void MapDma(ulong vaddr, ulong iova, ulong size, VfioDmaMapFlags flags = VfioDmaMapFlags.ReadWrite) =>
        Results.ThrowIfFailed(TryMapDma(vaddr, iova, size, flags), nameof(Vfio.VFIO_IOMMU_MAP_DMA));

    /// <summary>VFIO_IOMMU_MAP_DMA, returning the errno.</summary>
    public Errno TryMapDma(ulong vaddr, ulong iova, ulong size, VfioDmaMapFlags flags)
    {
        var arg = new vfio_iommu_type1_dma_map { flags = (uint)flags, vaddr = vaddr, iova = iova, size = size };
        using IommuFdHandle.FdLease fd = Handle.Borrow();
        return ErrnoNames.FromResult(VfioIoctls.VFIO_IOMMU_MAP_DMA(Backend, fd.Fd, ref arg));
    }

    /// <summary>Unmaps [<paramref name="iova"/>, +<paramref name="size"/>) (VFIO_IOMMU_UNMAP_DMA) and returns the
    /// bytes unmapped; an empty range is not an error here (0 bytes).</summary>
    public ulong UnmapDma(ulong iova, ulong size)
    {
        Results.ThrowIfFailed(TryUnmapDma(iova, size, VfioDmaUnmapFlags.None, out ulong unmapped), nameof(Vfio.VFIO_IOMMU_UNMAP_DMA));
        return unmapped;
    }

    /// <summary>Unmaps everything (VFIO_IOMMU_UNMAP_DMA with VFIO_DMA_UNMAP_FLAG_ALL) and returns the bytes unmapped.</summary>
    public ulong UnmapAllDma()
    {
        Results.ThrowIfFailed(TryUnmapDma(0, 0, VfioDmaUnmapFlags.All, out ulong unmapped), nameof(Vfio.VFIO_IOMMU_UNMAP_DMA));
        return unmapped;
    }

    /// <summary>VFIO_IOMMU_UNMAP_DMA, returning the errno. <paramref name="unmapped"/> is what the kernel wrote
    /// back, which it does on failure too (bytes removed before the failure).</summary>
    public Errno TryUnmapDma(ulong iova, ulong size, VfioDmaUnmapFlags flags, out ulong unmapped)
    {
        var arg = new vfio_iommu_type1_dma_unmap { flags = (uint)flags, iova = iova, size = size };
        int rc;
        using (IommuFdHandle.FdLease fd = Handle.Borrow())
            rc = VfioIoctls.VFIO_IOMMU_UNMAP_DMA(Backend, fd.Fd, ref arg);
        unmapped = arg.size;
        return ErrnoNames.FromResult(rc);
    }

    /// <summary>VFIO_IOMMU_GET_INFO with the capability chain: asks once with the bare struct, and again
    /// with the <c>argsz</c> the kernel asked for when the capabilities did not fit.</summary>
    public VfioIommuInfo GetInfo()
    {
        byte[] buffer = new byte[sizeof(vfio_iommu_type1_info)];
        for (int attempt = 0; ; attempt++)
        {
            Results.ThrowIfFailed(TryGetInfo(buffer, out uint needed), nameof(Vfio.VFIO_IOMMU_GET_INFO));
            if (needed > buffer.Length && attempt < 8)
            {
                buffer = new byte[needed];
                continue;
            }
            return ParseInfo(buffer);
        }
    }

    /// <summary>One VFIO_IOMMU_GET_INFO call with <c>argsz</c> = the buffer's length (the buffer must hold at least
    /// the 16-byte header the kernel reads). <paramref name="needed"/> is the <c>argsz</c> the kernel wrote back.</summary>
    public Errno TryGetInfo(Span<byte> buffer, out uint needed)
    {
        if (buffer.Length < 4)
            throw new ArgumentException("the buffer must hold at least argsz", nameof(buffer));
        buffer.Clear();
        MemoryMarshal.Write(buffer, (uint)buffer.Length);
        int rc;
        fixed (byte* p = buffer)
        {
            using IommuFdHandle.FdLease fd = Handle.Borrow();
            rc = Backend.Ioctl(fd.Fd, Vfio.VFIO_IOMMU_GET_INFO, p);
        }
        needed = rc >= 0 ? MemoryMarshal.Read<uint>(buffer) : 0;
        return ErrnoNames.FromResult(rc);
    }

    private static VfioIommuInfo ParseInfo(byte[] buffer)
    {
        vfio_iommu_type1_info head = MemoryMarshal.Read<vfio_iommu_type1_info>(buffer);
        IReadOnlyList<VfioCapability> caps = (head.flags & Vfio.VFIO_IOMMU_INFO_CAPS) != 0
            ? VfioCapabilityChain.Parse(buffer, head.cap_offset)
            : [];
        List<IovaRange>? ranges = null;
        uint? available = null;
        foreach (VfioCapability cap in caps)
        {
            if (cap.Id == Vfio.VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
            {
                // The fixed part, then nr_iovas entries of struct vfio_iova_range (a flexible array).
                uint count = cap.Read<vfio_iommu_type1_info_cap_iova_range>().nr_iovas;
                ranges = new List<IovaRange>((int)Math.Min(count, 4096));
                for (int i = 0; i < count; i++)
                {
                    vfio_iova_range range = cap.Read<vfio_iova_range>(sizeof(vfio_iommu_type1_info_cap_iova_range) + i * sizeof(vfio_iova_range));
                    ranges.Add(new IovaRange(range.start, range.end));
                }
            }
            else if (cap.Id == Vfio.VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL)
            {
                available = cap.Read<vfio_iommu_type1_info_dma_avail>().avail;
            }
        }
        return new VfioIommuInfo(head.flags, head.iova_pgsizes, caps, ranges, available);
    }

    private int RawIoctl(uint request, nuint argument)
    {
        // These ioctls take an integer by value, not a pointer: it travels in the pointer argument.
        using IommuFdHandle.FdLease fd = Handle.Borrow();
        return Backend.Ioctl(fd.Fd, request, (void*)argument);
    }

    /// <summary>Closes the container fd when this object opened it.</summary>
    public void Dispose()
    {
        if (_ownsHandle)
            Handle.Dispose();
    }
}
