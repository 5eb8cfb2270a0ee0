using IommuFd.Bindings.Internal;
using IommuFd.Interop;

namespace IommuFd.Bindings;

/// <summary>An I/O address space: user memory mapped at IOVAs, which every device and HWPT attached to
/// it sees. Map, unmap and copy allocate nothing: their argument structs live on the stack.</summary>
public sealed partial class Ioas
{
    internal Ioas(IommufdContext context, IoasId id)
    {
        Context = context;
        Id = id;
    }

    /// <summary>The context the IOAS belongs to.</summary>
    public IommufdContext Context { get; }

    /// <summary>The IOAS object id.</summary>
    public IoasId Id { get; }

    /// <summary>Maps <paramref name="length"/> bytes at <paramref name="userVa"/> at an IOVA the kernel
    /// chooses (IOMMU_IOAS_MAP) and returns that IOVA.</summary>
    public ulong Map(ulong userVa, ulong length, IoasMapFlags flags = IoasMapFlags.ReadWrite)
    {
        Results.ThrowIfFailed(TryMap(userVa, length, flags, out ulong iova), nameof(Iommufd.IOMMU_IOAS_MAP));
        return iova;
    }

    /// <summary>Maps at a kernel-chosen IOVA, returning the errno on failure (ENOSPC when nothing fits).</summary>
    public Errno TryMap(ulong userVa, ulong length, IoasMapFlags flags, out ulong iova)
    {
        iova = 0;
        return TryMapRaw(userVa, length, flags & ~IoasMapFlags.FixedIova, ref iova);
    }

    /// <summary>Maps <paramref name="length"/> bytes at <paramref name="userVa"/> at exactly <paramref name="iova"/>
    /// (IOMMU_IOAS_MAP with FIXED_IOVA).</summary>
    public void MapFixed(ulong iova, ulong userVa, ulong length, IoasMapFlags flags = IoasMapFlags.ReadWrite) =>
        Results.ThrowIfFailed(TryMapFixed(iova, userVa, length, flags), nameof(Iommufd.IOMMU_IOAS_MAP));

    /// <summary>Maps at a fixed IOVA, returning the errno on failure (EEXIST over an existing mapping).</summary>
    public Errno TryMapFixed(ulong iova, ulong userVa, ulong length, IoasMapFlags flags = IoasMapFlags.ReadWrite) =>
        TryMapRaw(userVa, length, flags | IoasMapFlags.FixedIova, ref iova);

    /// <summary>IOMMU_IOAS_MAP with the flags exactly as given (any bits): <paramref name="iova"/> goes in
    /// and, on success, comes back as the IOVA used.</summary>
    public Errno TryMapRaw(ulong userVa, ulong length, IoasMapFlags flags, ref ulong iova)
    {
        var arg = new iommu_ioas_map
        {
            flags = (uint)flags,
            ioas_id = Id.Value,
            user_va = userVa,
            length = length,
            iova = iova,
        };
        int rc;
        using (IommuFdHandle.FdLease fd = Context.Handle.Borrow())
            rc = IommufdIoctls.IOMMU_IOAS_MAP(Context.Backend, fd.Fd, ref arg);
        if (rc >= 0)
            iova = arg.iova;
        return ErrnoNames.FromResult(rc);
    }

    /// <summary>Unmaps every mapping inside [<paramref name="iova"/>, <paramref name="iova"/> + <paramref name="length"/>)
    /// (IOMMU_IOAS_UNMAP) and returns the number of bytes unmapped. A mapping only partly inside is ENOENT.</summary>
    public ulong Unmap(ulong iova, ulong length)
    {
        Results.ThrowIfFailed(TryUnmap(iova, length, out ulong unmapped), nameof(Iommufd.IOMMU_IOAS_UNMAP));
        return unmapped;
    }

    /// <summary>IOMMU_IOAS_UNMAP, returning the errno on failure; <paramref name="unmapped"/> is 0 then,
    /// since the kernel does not report progress on failure.</summary>
    public Errno TryUnmap(ulong iova, ulong length, out ulong unmapped)
    {
        var arg = new iommu_ioas_unmap { ioas_id = Id.Value, iova = iova, length = length };
        int rc;
        using (IommuFdHandle.FdLease fd = Context.Handle.Borrow())
            rc = IommufdIoctls.IOMMU_IOAS_UNMAP(Context.Backend, fd.Fd, ref arg);
        unmapped = rc >= 0 ? arg.length : 0;
        return ErrnoNames.FromResult(rc);
    }

    /// <summary>Unmaps everything (IOMMU_IOAS_UNMAP of iova 0, length 2^64-1) and returns the bytes unmapped.</summary>
    public ulong UnmapAll() => Unmap(0, ulong.MaxValue);

    /// <summary>Unmaps everything, returning the errno on failure.</summary>
    public Errno TryUnmapAll(out ulong unmapped) => TryUnmap(0, ulong.MaxValue, out unmapped);

    /// <summary>Maps the memory behind [<paramref name="sourceIova"/>, +<paramref name="length"/>) of
    /// <paramref name="source"/> into this IOAS at a kernel-chosen IOVA, sharing the pinned pages
    /// (IOMMU_IOAS_COPY), and returns that IOVA.</summary>
    public ulong CopyFrom(IoasId source, ulong sourceIova, ulong length, IoasMapFlags flags = IoasMapFlags.ReadWrite)
    {
        ulong iova = 0;
        Results.ThrowIfFailed(TryCopyRaw(source, sourceIova, length, flags & ~IoasMapFlags.FixedIova, ref iova),
                              nameof(Iommufd.IOMMU_IOAS_COPY));
        return iova;
    }

    /// <summary>IOMMU_IOAS_COPY into this IOAS at exactly <paramref name="iova"/>.</summary>
    public void CopyFromFixed(IoasId source, ulong sourceIova, ulong iova, ulong length, IoasMapFlags flags = IoasMapFlags.ReadWrite) =>
        Results.ThrowIfFailed(TryCopyRaw(source, sourceIova, length, flags | IoasMapFlags.FixedIova, ref iova),
                              nameof(Iommufd.IOMMU_IOAS_COPY));

    /// <summary>IOMMU_IOAS_COPY into this IOAS with the flags exactly as given: <paramref name="iova"/> is the
    /// destination IOVA in (with FIXED_IOVA) and out.</summary>
    public Errno TryCopyRaw(IoasId source, ulong sourceIova, ulong length, IoasMapFlags flags, ref ulong iova)
    {
        var arg = new iommu_ioas_copy
        {
            flags = (uint)flags,
            dst_ioas_id = Id.Value,
            src_ioas_id = source.Value,
            length = length,
            dst_iova = iova,
            src_iova = sourceIova,
        };
        int rc;
        using (IommuFdHandle.FdLease fd = Context.Handle.Borrow())
            rc = IommufdIoctls.IOMMU_IOAS_COPY(Context.Backend, fd.Fd, ref arg);
        if (rc >= 0)
            iova = arg.dst_iova;
        return ErrnoNames.FromResult(rc);
    }

    /// <summary>Destroys the IOAS (IOMMU_DESTROY): EBUSY while HWPTs or accesses use it.</summary>
    public void Destroy() => Context.Destroy(Id);

    /// <summary>Destroys the IOAS, returning the errno on failure.</summary>
    public Errno TryDestroy() => Context.TryDestroy(Id);

    /// <inheritdoc/>
    public override string ToString() => Id.ToString();
}
