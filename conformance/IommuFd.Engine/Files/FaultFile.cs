namespace IommuFd.Engine.Files;

/// <summary>The [iommufd-pgfault] fd of IOMMU_FAULT_QUEUE_ALLOC: holds a users reference on the
/// FAULT object and a reference on the context until closed. An anon-inode file without FMODE_PREAD
/// or FMODE_PWRITE, so pread/pwrite are ESPIPE; read and write take whole records (ESPIPE otherwise,
/// the fops' own check) under the queue's lock, here the context's.</summary>
internal sealed class FaultFile(IommufdContext context, FaultQueue fault) : EngineFile
{
    private const int ResponseSize = 8;  // sizeof(struct iommu_hwpt_page_response)

    public override long Read(Span<byte> buffer, long offset)
    {
        if (offset >= 0 || buffer.Length % PageRequest.RecordSize != 0)
            return -Errno.ESPIPE;
        lock (context.Lock)
            return fault.Read(buffer);
    }

    public override long Write(ReadOnlySpan<byte> buffer, long offset)
    {
        if (offset >= 0 || buffer.Length % ResponseSize != 0)
            return -Errno.ESPIPE;
        lock (context.Lock)
            return fault.Write(buffer);
    }

    public override void Release()
    {
        lock (context.Lock)
            fault.Users--;
        context.Put();
    }
}
