namespace IommuFd.Engine.Files;

/// <summary>
/// The selftest's access fd ("[iommufd_test_staccess]", selftest_access): the driver of one
/// <see cref="Objects.Access"/>. IOMMU_TEST_CMD's access ops name it by fd number. It keeps the list
/// of ACCESS_PAGES pins (items with IDs from 0, never reused) and unpins every item an IOAS unmap
/// touches. Closing the fd unpins everything and destroys the access; until then the access holds a
/// reference on its context, so the iommufd stays alive.
/// </summary>
internal sealed class AccessFile(IommufdContext context) : EngineFile
{
    private readonly List<AccessItem> _items = [];
    private uint _nextId;

    public IommufdContext Context { get; } = context;

    /// <summary>Set when the fd is installed (CREATE_ACCESS succeeded).</summary>
    public Access? Access { get; set; }

    /// <summary>One ACCESS_PAGES pin: [Iova, Iova+Length).</summary>
    private sealed record AccessItem(ulong Iova, ulong Length, uint Id);

    /// <summary>Records a pin; returns its ID (next_id++).</summary>
    public uint AddItem(ulong iova, ulong length)
    {
        var item = new AccessItem(iova, length, _nextId++);
        _items.Add(item);
        return item.Id;
    }

    /// <summary>Undoes the last <see cref="AddItem"/> without unpinning (the respond failed; the ID stays used).</summary>
    public void DropLastItem() => _items.RemoveAt(_items.Count - 1);

    /// <summary>iommufd_test_access_item_destroy: unpins the item; false (ENOENT) when there is none.</summary>
    public bool DestroyItem(uint id)
    {
        int index = _items.FindIndex(i => i.Id == id);
        if (index < 0)
            return false;
        AccessItem item = _items[index];
        _items.RemoveAt(index);
        Access!.UnpinPages(item.Iova, item.Length);
        return true;
    }

    /// <summary>iommufd_test_access_unmap, the access's unmap op: unpins every item intersecting
    /// [iova, iova+length-1].</summary>
    public void Unmap(ulong iova, ulong length)
    {
        ulong last = iova + length - 1;
        foreach (AccessItem item in _items.ToArray())
        {
            if (iova > item.Iova + item.Length - 1 || last < item.Iova)
                continue;
            _items.Remove(item);
            Access!.UnpinPages(item.Iova, item.Length);
        }
    }

    // The fops have only a release: read and write are EINVAL (no FMODE_CAN_READ/WRITE); an anon
    // inode file has no FMODE_PREAD/PWRITE, so pread and pwrite are ESPIPE first.
    public override long Read(Span<byte> buffer, long offset) => offset >= 0 ? -Errno.ESPIPE : -Errno.EINVAL;

    public override long Write(ReadOnlySpan<byte> buffer, long offset) => offset >= 0 ? -Errno.ESPIPE : -Errno.EINVAL;

    /// <summary>iommufd_test_staccess_release.</summary>
    public override void Release()
    {
        if (Access == null)
            return;
        lock (Context.Lock)
        {
            Unmap(0, ulong.MaxValue);
            _ = Context.Objects.RemoveHeld(Access); // iommufd_access_destroy
        }
        Context.Put(); // the access's iommufd_ctx_get
    }
}
