namespace IommuFd.Engine.Objects;

/// <summary>An iopf_group as IOMMU_TEST_OP_TRIGGER_IOPF makes it: one page request, always the last
/// of its group (so a group is one 40-byte record). <see cref="Cookie"/> is set when it is read.</summary>
internal sealed class PageRequest(AttachHandle handle, uint flags, uint pasid, uint grpid, uint perm, ulong addr)
{
    public const int RecordSize = 40; // sizeof(struct iommu_hwpt_pgfault)

    public AttachHandle Handle { get; } = handle;

    public uint Cookie { get; set; }

    /// <summary>iommufd_compose_fault_message: struct iommu_hwpt_pgfault, length always 0.</summary>
    public void Compose(Span<byte> record)
    {
        record[..RecordSize].Clear();
        var w = System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian;
        w(record, flags);
        w(record[4..], Handle.Idev.Id);
        w(record[8..], pasid);
        w(record[12..], grpid);
        w(record[16..], perm);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(record[24..], addr);
        w(record[36..], Cookie);
    }
}
