using System.Buffers.Binary;
using IommuFd.Interop.Stable;

namespace IommuFd.Bindings;

/// <summary>One vEVENT read from a queue: the header's sequence number, whether events were lost
/// before it (IOMMU_VEVENTQ_FLAG_LOST_EVENTS: a header with no data), and the driver's event data.</summary>
/// <param name="Sequence">The header's sequence index (wraps at int.MaxValue).</param>
/// <param name="LostEvents">True for the header the kernel puts where the queue overflowed.</param>
/// <param name="Data">The event's data (empty for a lost-events header).</param>
public sealed record Vevent(uint Sequence, bool LostEvents, byte[] Data);

/// <summary>A vIOMMU event queue: its object id and its fd, from which <c>struct iommufd_vevent_header</c>
/// records, each followed by the type's event data, are read. Linux 7.3.</summary>
public sealed class VeventQueue : IDisposable
{
    private static readonly int HeaderLength = System.Runtime.CompilerServices.Unsafe.SizeOf<iommufd_vevent_header>();

    internal VeventQueue(VeventQueueId id, IommuFdHandle handle)
    {
        Id = id;
        Handle = handle;
    }

    /// <summary>The VEVENTQ object's id.</summary>
    public VeventQueueId Id { get; }

    /// <summary>The queue's fd.</summary>
    public IommuFdHandle Handle { get; }

    /// <summary><c>read</c> on the queue: bytes read (whole events), or a negative errno.</summary>
    public long TryRead(Span<byte> buffer)
    {
        using IommuFdHandle.FdLease fd = Handle.Borrow();
        return Handle.Backend.Read(fd.Fd, buffer);
    }

    /// <summary>Reads the queued events whose data is <paramref name="dataLength"/> bytes each (the queue
    /// type's event struct, e.g. 8 for the selftest's <c>struct iommu_viommu_event_selftest</c>), at most
    /// <paramref name="maxEvents"/>; an empty list when none is queued.</summary>
    /// <exception cref="IommuFdException">The read failed.</exception>
    public IReadOnlyList<Vevent> ReadEvents(int dataLength, int maxEvents = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        byte[] buffer = new byte[maxEvents * (HeaderLength + dataLength)];
        long read = IommuFdException.ThrowIfError(TryRead(buffer), "read vEVENTQ");
        return Parse(buffer.AsSpan(0, (int)read), dataLength);
    }

    /// <summary>Splits what a read returned into events: a lost-events header carries no data.</summary>
    public static IReadOnlyList<Vevent> Parse(ReadOnlySpan<byte> bytes, int dataLength)
    {
        var events = new List<Vevent>();
        while (bytes.Length >= HeaderLength)
        {
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
            uint sequence = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
            bool lost = (flags & (uint)iommu_veventq_flag.IOMMU_VEVENTQ_FLAG_LOST_EVENTS) != 0;
            int length = lost ? 0 : Math.Min(dataLength, bytes.Length - HeaderLength);
            events.Add(new Vevent(sequence, lost, bytes.Slice(HeaderLength, length).ToArray()));
            bytes = bytes[(HeaderLength + length)..];
        }
        return events;
    }

    /// <summary>Closes the queue's fd.</summary>
    public void Dispose() => Handle.Dispose();
}
