namespace IommuFd.Engine.Objects;

/// <summary>
/// The context's objects xarray: IDs are reserved at allocation (lookups see nothing yet), published
/// at finalize, freed on abort or removal. Lowest free ID first, 31-bit limit as in 6.12.
/// </summary>
internal sealed class ObjectTable
{
    public const uint Limit = 0x7FFF_FFFF;

    private readonly Dictionary<uint, IommufdObject?> _slots = []; // null value = reserved (XA_ZERO_ENTRY)
    private readonly IdAllocator _ids;

    public ObjectTable(uint limit = Limit) => _ids = new IdAllocator(limit);

    /// <summary>True when no ID is in use, reserved ones included (xa_empty).</summary>
    public bool IsEmpty => _slots.Count == 0;

    public int Count => _slots.Count;

    /// <summary>_iommufd_object_alloc: reserves the lowest free ID for <paramref name="obj"/>. -EBUSY when full.</summary>
    public int Allocate(IommufdObject obj)
    {
        if (!_ids.TryAllocate(out uint id))
            return -Errno.EBUSY;
        obj.Id = id;
        _slots.Add(id, null);
        return 0;
    }

    /// <summary>iommufd_object_finalize: makes the object visible to lookups.</summary>
    public void Finalize(IommufdObject obj) => _slots[obj.Id] = obj;

    /// <summary>iommufd_object_abort_and_destroy: undoes creation; the ID becomes free again.</summary>
    public void Abort(IommufdObject obj)
    {
        obj.Destroy();
        _slots.Remove(obj.Id);
        _ids.Free(obj.Id);
    }

    /// <summary>iommufd_get_object: a published object of the type (or any type), else null (ENOENT).</summary>
    public IommufdObject? Get(uint id, ObjectType type)
    {
        if (!_slots.TryGetValue(id, out IommufdObject? obj) || obj == null)
            return null;
        return type == ObjectType.Any || obj.Type == type ? obj : null;
    }

    /// <summary>iommufd_object_remove for DESTROY: ENOENT for missing/reserved IDs, EBUSY while another
    /// holder has a users reference; otherwise the object is erased and destroyed.</summary>
    public int Remove(uint id, out IommufdObject? removed)
    {
        removed = null;
        if (!_slots.TryGetValue(id, out IommufdObject? obj) || obj == null)
            return -Errno.ENOENT;
        if (obj.Users != 1)
            return -Errno.EBUSY;
        obj.Users = 0;
        _slots.Remove(id);
        _ids.Free(id);
        removed = obj;
        obj.Destroy();
        return 0;
    }

    /// <summary>iommufd_object_remove with the caller's own users reference (unbind, the put of an
    /// automatic HWPT): drops that reference, then removes and destroys the object if only the table's
    /// remains; otherwise -EBUSY and the object stays.</summary>
    public int RemoveHeld(IommufdObject obj)
    {
        obj.Users--;
        if (obj.Users != 1 || !_slots.TryGetValue(obj.Id, out IommufdObject? held) || !ReferenceEquals(held, obj))
            return -Errno.EBUSY;
        obj.Users = 0;
        _slots.Remove(obj.Id);
        _ids.Free(obj.Id);
        obj.Destroy();
        return 0;
    }

    /// <summary>iommufd_object_tombstone_user: removes and destroys the object but leaves its ID reserved
    /// (XA_ZERO_ENTRY): DESTROY of the ID is ENOENT and no new object gets it until the context closes.</summary>
    public void Tombstone(IommufdObject obj)
    {
        obj.Users = 0;
        _slots[obj.Id] = null;
        obj.Destroy();
    }

    /// <summary>iommufd_fops_release: passes in ascending ID order destroying every object whose last
    /// users reference can be dropped, until the table is empty or a pass makes no progress.</summary>
    public void ReleaseAll()
    {
        while (_slots.Count > 0)
        {
            int destroyed = 0;
            var ids = _slots.Keys.ToArray();
            Array.Sort(ids);
            foreach (uint id in ids)
            {
                if (!_slots.TryGetValue(id, out IommufdObject? obj) || obj == null || obj.Users != 1)
                    continue;
                obj.Users = 0;
                _slots.Remove(id);
                _ids.Free(id);
                obj.Destroy();
                destroyed++;
            }
            if (destroyed == 0)
                break; // the kernel WARNs and leaks here
        }
    }

    /// <summary>Published objects in ascending ID order (for invariant checks).</summary>
    public List<IommufdObject> Snapshot()
    {
        var list = _slots.Values.Where(o => o != null).Select(o => o!).ToList();
        list.Sort((a, b) => a.Id.CompareTo(b.Id));
        return list;
    }
}
