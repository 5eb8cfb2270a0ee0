namespace IommuFd.Engine.Files;

/// <summary>The fd of an event queue ([iommufd-pgfault] of IOMMU_FAULT_QUEUE_ALLOC,
/// [iommufd-viommu-event] of IOMMU_VEVENTQ_ALLOC): reads and writes go to the queue under its lock,
/// here the context's; closing it drops the users reference on the queue and the one on the context
/// (iommufd_eventq_fops_release).</summary>
internal sealed class EventQueueFile(IommufdContext context, EventQueue queue) : EngineFile
{
    public override long Read(Span<byte> buffer, long offset)
    {
        lock (context.Lock)
            return queue.Read(buffer, offset);
    }

    public override long Write(ReadOnlySpan<byte> buffer, long offset)
    {
        lock (context.Lock)
            return queue.Write(buffer, offset);
    }

    public override void Release()
    {
        lock (context.Lock)
            queue.Users--;
        context.Put();
    }
}
