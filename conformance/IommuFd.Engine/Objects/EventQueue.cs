namespace IommuFd.Engine.Objects;

/// <summary>iommufd_eventq: what the fault queue and the vEVENT queue share. Each has an fd whose read
/// hands out the records waiting on the deliver list, oldest first; the fd holds a users reference on
/// the object and a reference on the context until it is closed.</summary>
internal abstract class EventQueue(ObjectType type) : IommufdObject(type)
{
    /// <summary>read(2) (<paramref name="offset"/> &lt; 0) or pread(2) on the queue's fd.</summary>
    public abstract long Read(Span<byte> buffer, long offset);

    /// <summary>write(2) or pwrite(2) on the queue's fd; a queue without a write op is EINVAL (VFS).</summary>
    public virtual long Write(ReadOnlySpan<byte> buffer, long offset) => -Errno.EINVAL;
}

/// <summary>An event queue of <typeparamref name="T"/> records, with the read loop both queues run.</summary>
internal abstract class EventQueue<T>(ObjectType type) : EventQueue(type) where T : class
{
    /// <summary>eventq->deliver: records not read yet (the fd polls readable while it is non-empty).</summary>
    protected LinkedList<T> Pending { get; } = new();

    /// <summary>Writes <paramref name="record"/> into <paramref name="room"/> (what is left of the read
    /// buffer) and returns its length; or returns 0 (stop here) or a negative errno (stop here, the
    /// read's answer when nothing was read before) when it does not fit.</summary>
    protected abstract int Emit(T record, Span<byte> room);

    /// <summary>The fops read loop after the file's own checks: records leave the deliver list as they
    /// are copied out; the first that does not fit stays and ends the read.</summary>
    protected long ReadRecords(Span<byte> buffer)
    {
        int done = 0;
        while (Pending.First is { } node)
        {
            int n = Emit(node.Value, buffer[done..]);
            if (n <= 0)
                return done == 0 ? n : done;
            Pending.RemoveFirst();
            done += n;
        }
        return done;
    }
}
