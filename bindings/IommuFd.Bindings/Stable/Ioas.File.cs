using IommuFd.Interop.Stable;

namespace IommuFd.Bindings;

// Linux 7.3's IOAS calls: mapping a file (a memfd) by fd and offset, and the physical address behind
// an IOVA for noiommu devices. On 6.12 they are ENOTTY; the throwing forms say so (NewerKernel).
public sealed partial class Ioas
{
    /// <summary>Maps <paramref name="length"/> bytes of the file <paramref name="fd"/> (a memfd) from byte
    /// <paramref name="start"/> at an IOVA the kernel picks (IOMMU_IOAS_MAP_FILE, Linux 7.3) and returns it.</summary>
    public ulong MapFile(int fd, ulong start, ulong length, IoasMapFlags flags = IoasMapFlags.ReadWrite)
    {
        ulong iova = 0;
        NewerKernel.ThrowIfFailed(TryMapFileRaw(fd, start, length, flags & ~IoasMapFlags.FixedIova, ref iova),
            nameof(Iommufd.IOMMU_IOAS_MAP_FILE), Context.Backend);
        return iova;
    }

    /// <summary>Maps the file range at <paramref name="iova"/> (IOMMU_IOAS_MAP_FILE with FIXED_IOVA).</summary>
    public void MapFileFixed(ulong iova, int fd, ulong start, ulong length, IoasMapFlags flags = IoasMapFlags.ReadWrite) =>
        NewerKernel.ThrowIfFailed(TryMapFileRaw(fd, start, length, flags | IoasMapFlags.FixedIova, ref iova),
            nameof(Iommufd.IOMMU_IOAS_MAP_FILE), Context.Backend);

    /// <summary>IOMMU_IOAS_MAP_FILE at an IOVA the kernel picks, returning the errno on failure.</summary>
    public Errno TryMapFile(int fd, ulong start, ulong length, IoasMapFlags flags, out ulong iova)
    {
        iova = 0;
        return TryMapFileRaw(fd, start, length, flags & ~IoasMapFlags.FixedIova, ref iova);
    }

    /// <summary>IOMMU_IOAS_MAP_FILE with the flags as given; <paramref name="iova"/> goes in (with
    /// FIXED_IOVA) and comes back on success.</summary>
    public Errno TryMapFileRaw(int fd, ulong start, ulong length, IoasMapFlags flags, ref ulong iova)
    {
        var arg = new iommu_ioas_map_file
        {
            flags = (uint)flags,
            ioas_id = Id.Value,
            fd = fd,
            start = start,
            length = length,
            iova = iova,
        };
        int rc;
        using (IommuFdHandle.FdLease lease = Context.Handle.Borrow())
            rc = IommufdIoctls.IOMMU_IOAS_MAP_FILE(Context.Backend, lease.Fd, ref arg);
        if (rc >= 0)
            iova = arg.iova;
        return ErrnoNames.FromResult(rc);
    }

    /// <summary>The physical address behind <paramref name="iova"/> and how many bytes from it are physically
    /// contiguous, at most <paramref name="maxLength"/> (IOMMU_IOAS_NOIOMMU_GET_PA, Linux 7.3, for noiommu
    /// devices; EOPNOTSUPP on a kernel without CONFIG_IOMMUFD_NOIOMMU).</summary>
    public (ulong Physical, ulong Length) GetNoIommuPhysical(ulong iova, ulong maxLength)
    {
        NewerKernel.ThrowIfFailed(TryGetNoIommuPhysical(iova, maxLength, out ulong physical, out ulong length),
            nameof(Iommufd.IOMMU_IOAS_NOIOMMU_GET_PA), Context.Backend);
        return (physical, length);
    }

    /// <summary>IOMMU_IOAS_NOIOMMU_GET_PA, returning the errno on failure.</summary>
    public Errno TryGetNoIommuPhysical(ulong iova, ulong maxLength, out ulong physical, out ulong length)
    {
        var arg = new iommu_ioas_noiommu_get_pa { ioas_id = Id.Value, iova = iova, length = maxLength };
        int rc;
        using (IommuFdHandle.FdLease lease = Context.Handle.Borrow())
            rc = IommufdIoctls.IOMMU_IOAS_NOIOMMU_GET_PA(Context.Backend, lease.Fd, ref arg);
        (physical, length) = rc >= 0 ? (arg.out_phys, arg.length) : (0UL, 0UL);
        return ErrnoNames.FromResult(rc);
    }
}
