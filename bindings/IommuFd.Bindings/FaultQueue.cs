namespace IommuFd.Bindings;

/// <summary>A fault queue: its object id (for IOMMU_HWPT_ALLOC's <c>fault_id</c>) and its fd, from which
/// <c>struct iommu_hwpt_pgfault</c> records are read and to which <c>struct iommu_hwpt_page_response</c>
/// records are written. The object cannot be destroyed (EBUSY) while the fd is open.</summary>
public sealed class FaultQueue : IDisposable
{
    internal FaultQueue(FaultId id, IommuFdHandle handle)
    {
        Id = id;
        Handle = handle;
    }

    /// <summary>The FAULT object's id.</summary>
    public FaultId Id { get; }

    /// <summary>The queue's fd.</summary>
    public IommuFdHandle Handle { get; }

    /// <summary><c>read</c> on the queue: bytes read, or a negative errno (ESPIPE unless a whole number of records is asked).</summary>
    public long TryRead(Span<byte> buffer)
    {
        using IommuFdHandle.FdLease fd = Handle.Borrow();
        return Handle.Backend.Read(fd.Fd, buffer);
    }

    /// <summary><c>write</c> on the queue: bytes written, or a negative errno.</summary>
    public long TryWrite(ReadOnlySpan<byte> buffer)
    {
        using IommuFdHandle.FdLease fd = Handle.Borrow();
        return Handle.Backend.Write(fd.Fd, buffer);
    }

    /// <summary>Closes the queue's fd.</summary>
    public void Dispose() => Handle.Dispose();
}
