using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Objects;

/// <summary>
/// iommufd_access (device.c): an in-kernel user of an IOAS that reads and writes it with the CPU
/// instead of DMA. It has an ID but no uAPI; its driver (here the selftest's access fd) holds one
/// users reference until it destroys the access, so IOMMU_DESTROY of the ID is EBUSY. Attached to an
/// IOAS it holds a users reference on that IOAS and sits in its access list.
/// </summary>
internal sealed class Access(IommufdContext ctx, bool needsPinPages, Action<ulong, ulong> unmap, bool isInternal = false)
    : IommufdObject(ObjectType.Access), IIoptAccess
{
    private uint _listId;

    public IommufdContext Context { get; } = ctx;

    /// <summary>Drivers that pin pages must provide an unmap op; the selftest's "pin" ops say so.</summary>
    public bool NeedsPinPages { get; } = needsPinPages;

    /// <summary>access->ioas: null while changing IOAS (blocks new pins) and when detached.</summary>
    public Ioas? Ioas { get; private set; }

    /// <summary>access->ioas_unpin: where pins taken so far are released, also during a change.</summary>
    public Ioas? IoasUnpin { get; private set; }

    public ulong IovaAlignment => NeedsPinPages ? Context.Platform.PageSize : 1;

    public bool Destroying { get; private set; }

    /// <summary>iommufd_access_create_internal (7.3, a HW queue's): its pins lock the areas.</summary>
    public bool IsInternal { get; } = isInternal;

    public void NotifyUnmap(ulong iova, ulong length) => unmap(iova, length);

    /// <summary>iommufd_access_attach by ID (iommufd_access_change_ioas_id): ENOENT for no such IOAS.</summary>
    public int Attach(uint ioasId) => ChangeIoas(ioasId);

    /// <summary>iommufd_access_replace: ENOENT when detached or no such IOAS; the same IOAS is a no-op.</summary>
    public int Replace(uint ioasId) => Ioas == null ? -Errno.ENOENT : ChangeIoas(ioasId);

    private int ChangeIoas(uint ioasId)
    {
        Ioas? ioas = Context.GetIoas(ioasId);
        return ioas == null ? -Errno.ENOENT : ChangeIoas(ioas);
    }

    /// <summary>iommufd_access_change_ioas: join the new IOAS's access list first (its alignment may
    /// refuse: EADDRINUSE, nothing changes), then have the driver unpin everything of the old one.</summary>
    private int ChangeIoas(Ioas? newIoas)
    {
        Ioas? current = Ioas;
        if (ReferenceEquals(current, newIoas))
            return 0;
        Ioas = null;
        uint newListId = 0;
        if (newIoas != null)
        {
            int rc = newIoas.Iopt.AddAccess(this, out newListId);
            if (rc != 0)
            {
                Ioas = current;
                return rc;
            }
            newIoas.Users++;
        }
        if (current != null)
        {
            unmap(0, ulong.MaxValue);
            current.Iopt.RemoveAccess(_listId);
            current.Users--;
        }
        Ioas = newIoas;
        IoasUnpin = newIoas;
        _listId = newListId;
        return 0;
    }

    /// <summary>iommufd_access_pin_pages: EINVAL for length 0, EOVERFLOW for a wrapping range, ENOENT
    /// while detached, then the table's checks and pins.</summary>
    public int PinPages(ulong iova, ulong length, bool write, List<PageName> pageVas)
    {
        if (length == 0)
            return -Errno.EINVAL;
        if (iova + (length - 1) < iova)
            return -Errno.EOVERFLOW;
        if (Ioas == null)
            return -Errno.ENOENT;
        return Ioas.Iopt.PinForAccess(iova, iova + (length - 1), write, pageVas, IsInternal);
    }

    /// <summary>iommufd_access_unpin_pages: exactly a range <see cref="PinPages"/> pinned.</summary>
    public void UnpinPages(ulong iova, ulong length)
    {
        if (length == 0 || iova + (length - 1) < iova || IoasUnpin == null)
            return; // WARN_ON in the kernel: a driver bug
        IoasUnpin.Iopt.UnpinForAccess(iova, iova + (length - 1), IsInternal);
    }

    /// <summary>iommufd_access_rw: EINVAL for length 0, EOVERFLOW for a wrapping range, ENOENT while detached.</summary>
    public int ReadWrite(ulong iova, Span<byte> data, uint flags)
    {
        if (data.Length == 0)
            return -Errno.EINVAL;
        if (iova + ((ulong)data.Length - 1) < iova)
            return -Errno.EOVERFLOW;
        if (Ioas == null)
            return -Errno.ENOENT;
        return Ioas.Iopt.ReadWrite(iova, data, flags);
    }

    /// <summary>iommufd_access_destroy_object: detaches (the driver's unmap op runs once more).</summary>
    public override void Destroy()
    {
        Destroying = true;
        if (Ioas != null)
            _ = ChangeIoas((Ioas?)null);
    }
}
