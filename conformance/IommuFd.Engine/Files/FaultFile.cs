using IommuFd.Engine.Objects;

namespace IommuFd.Engine.Files;

/// <summary>The [iommufd-pgfault] fd of IOMMU_FAULT_QUEUE_ALLOC: holds a users reference on the
/// FAULT object and a reference on the context until closed. Opened nonseekable, so pread/pwrite
/// are ESPIPE.</summary>
internal sealed class FaultFile(IommufdContext context, FaultQueue fault) : EngineFile
{
    private const int FaultSize = 40;    // sizeof(struct iommu_hwpt_pgfault)
    private const int ResponseSize = 8;  // sizeof(struct iommu_hwpt_page_response)

    public override long Read(Span<byte> buffer, long offset)
    {
        if (offset >= 0 || buffer.Length % FaultSize != 0)
            return -Errno.ESPIPE;
        return 0; // nothing delivered: no device can fault yet
    }

    public override long Write(ReadOnlySpan<byte> buffer, long offset)
    {
        if (offset >= 0 || buffer.Length % ResponseSize != 0)
            return -Errno.ESPIPE;
        if (buffer.Length == 0)
            return 0;
        // The first response names a cookie: none is outstanding, and a bad code fails first.
        return -Errno.EINVAL;
    }

    public override void Release()
    {
        lock (context.Lock)
            fault.Users--;
        context.Put();
    }
}
