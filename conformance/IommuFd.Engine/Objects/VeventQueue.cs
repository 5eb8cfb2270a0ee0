using System.Buffers.Binary;

namespace IommuFd.Engine.Objects;

/// <summary>iommufd_vevent: one event of a vEVENT queue, or the queue's own lost-events header.</summary>
internal sealed class Vevent(uint flags, byte[] data)
{
    public uint Flags { get; } = flags;

    /// <summary>The event data (none for the lost-events header).</summary>
    public byte[] Data { get; } = data;

    /// <summary>header.sequence, set when it is queued.</summary>
    public uint Sequence { get; set; }

    public bool IsLostEvents => (Flags & VeventQueue.FlagLostEvents) != 0;
}

/// <summary>
/// iommufd_veventq: a vIOMMU's queue of events of one type, read from its fd as struct
/// iommufd_vevent_header {flags, sequence} followed by the event data. Holds a users reference on the
/// vIOMMU. At most <see cref="Depth"/> events wait; an event past that is dropped and the queue's one
/// lost-events header (flags IOMMU_VEVENTQ_FLAG_LOST_EVENTS, no data) takes its place at the tail.
/// Every queued record, the header included, takes the next sequence number (31 bits, wrapping).
/// </summary>
internal sealed class VeventQueue(Viommu viommu, uint eventType, uint depth) : EventQueue<Vevent>(ObjectType.Veventq)
{
    public const uint FlagLostEvents = 1; // IOMMU_VEVENTQ_FLAG_LOST_EVENTS
    public const int HeaderSize = 8;      // sizeof(struct iommufd_vevent_header)

    private readonly Vevent _lostEvents = new(FlagLostEvents, []);
    private uint _numEvents, _sequence;

    public Viommu Viommu { get; } = viommu;

    /// <summary>enum iommu_veventq_type: one queue per type per vIOMMU.</summary>
    public uint EventType { get; } = eventType;

    public uint Depth { get; } = depth;

    /// <summary>iommufd_viommu_report_event once the queue is found: a full queue drops the event and
    /// (re)queues the lost-events header instead.</summary>
    public void Report(byte[] data)
    {
        Vevent vevent;
        if (_numEvents == Depth)
            vevent = _lostEvents;
        else
        {
            vevent = new Vevent(0, data);
            _numEvents++;
        }
        // iommufd_vevent_handler: a lost-events header at the tail gives way to the new record (which
        // may be the header itself, queued again with a new sequence number).
        if (ReferenceEquals(Pending.Last?.Value, _lostEvents))
            Pending.RemoveLast();
        Pending.AddLast(vevent);
        vevent.Sequence = _sequence;
        _sequence = (_sequence + 1) & int.MaxValue;
    }

    /// <summary>iommufd_veventq_fops_read: no pread (ESPIPE), at least a header's room (EINVAL), then
    /// records oldest first; an event whose data does not fit stops the read (EINVAL if it is the first).</summary>
    public override long Read(Span<byte> buffer, long offset)
    {
        if (offset >= 0)
            return -Errno.ESPIPE;
        return buffer.Length < HeaderSize ? -Errno.EINVAL : ReadRecords(buffer);
    }

    protected override int Emit(Vevent vevent, Span<byte> room)
    {
        if (room.Length < HeaderSize)
            return 0;
        if (!vevent.IsLostEvents && HeaderSize + vevent.Data.Length > room.Length)
            return -Errno.EINVAL;
        BinaryPrimitives.WriteUInt32LittleEndian(room, vevent.Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(room[4..], vevent.Sequence);
        vevent.Data.CopyTo(room[HeaderSize..]);
        if (!vevent.IsLostEvents)
            _numEvents--;
        return HeaderSize + vevent.Data.Length;
    }

    /// <summary>iommufd_veventq_destroy (and _abort): the unread events go, the vIOMMU loses the queue
    /// and its reference.</summary>
    public override void Destroy()
    {
        Pending.Clear();
        Viommu.Veventqs.Remove(this);
        Viommu.Users--;
    }
}
