namespace IommuFd.Engine.Domains;

/// <summary>
/// The selftest's mock nested domain (IOMMU_DOMAIN_NESTED on a mock paging parent): a stage-1 table
/// the user owns, modelled by four IOTLB entries that start at the value the user passed in
/// struct iommu_hwpt_selftest and that IOMMU_HWPT_INVALIDATE clears.
/// </summary>
internal sealed class MockNestedDomain
{
    public const int IotlbNum = 4;                         // MOCK_NESTED_DOMAIN_IOTLB_NUM
    public const uint IotlbIdMax = IotlbNum - 1;           // MOCK_NESTED_DOMAIN_IOTLB_ID_MAX
    public const uint DataSelftest = 0xdead;               // IOMMU_HWPT_DATA_SELFTEST
    public const uint InvalidateDataSelftest = 0xdeadbeef; // IOMMU_HWPT_INVALIDATE_DATA_SELFTEST
    public const uint InvalidateFlagAll = 1;               // IOMMU_TEST_INVALIDATE_FLAG_ALL
    public const int UserDataSize = 4;                     // offsetofend(struct iommu_hwpt_selftest, iotlb)
    public const int UserDataSize73 = 8;                   // 7.3's sizeof(struct iommu_hwpt_selftest): iotlb, pagetable_type
    private const int InvalidateEntrySize = 8;             // sizeof(struct iommu_hwpt_invalidate_selftest)

    private readonly uint[] _iotlb = new uint[IotlbNum];

    public MockNestedDomain(uint iotlb) => Array.Fill(_iotlb, iotlb);

    /// <summary>mock_domain_alloc_user (6.12) / __mock_domain_alloc_nested (7.3) for a nested domain: only
    /// IOMMU_HWPT_DATA_SELFTEST (EOPNOTSUPP), whose struct is copied with iommu_copy_struct_from_user:
    /// 4 bytes on 6.12, 4 to 8 on 7.3 (<paramref name="structSize"/>), where the struct grew a
    /// pagetable_type that a nested domain ignores.</summary>
    public static int Alloc(UserData data, int structSize, out MockNestedDomain? domain)
    {
        domain = null;
        if (data.Type != DataSelftest)
            return -Errno.EOPNOTSUPP;
        Span<byte> cfg = stackalloc byte[structSize];
        int rc = data.CopyStruct(cfg, DataSelftest, UserDataSize);
        if (rc != 0)
            return rc;
        domain = new MockNestedDomain(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(cfg));
        return 0;
    }

    /// <summary>iommufd_test_md_check_iotlb: EINVAL for an ID past the last entry or a different value.</summary>
    public int CheckIotlb(uint iotlbId, uint expected) =>
        iotlbId > IotlbIdMax || _iotlb[iotlbId] != expected ? -Errno.EINVAL : 0;

    /// <summary>mock_domain_cache_invalidate_user: entries are handled in order and each one is applied
    /// before the next is read; <paramref name="handled"/> counts the ones applied. A wrong data type
    /// fails before the first entry (even with no entries); each entry must be exactly 8 bytes long
    /// (EINVAL), readable (EFAULT), have no flag but FLAG_ALL (EOPNOTSUPP) and an iotlb_id in range
    /// (EINVAL; checked even with FLAG_ALL, which then clears every entry).</summary>
    public int InvalidateUser(uint dataType, ulong uptr, uint entryLen, uint entryNum, out uint handled)
    {
        handled = 0;
        if (dataType != InvalidateDataSelftest)
            return -Errno.EINVAL;
        Span<byte> entry = stackalloc byte[InvalidateEntrySize];
        for (uint i = 0; i < entryNum; i++)
        {
            if (entryLen != InvalidateEntrySize)
                return -Errno.EINVAL;
            if (UserAccess.CopyFromUser(entry, uptr + (ulong)entryLen * i) != 0)
                return -Errno.EFAULT;
            uint flags = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(entry);
            uint iotlbId = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
            if ((flags & ~InvalidateFlagAll) != 0)
                return -Errno.EOPNOTSUPP;
            if (iotlbId > IotlbIdMax)
                return -Errno.EINVAL;
            if ((flags & InvalidateFlagAll) != 0)
                Array.Clear(_iotlb);
            else
                _iotlb[iotlbId] = 0;
            handled++;
        }
        return 0;
    }
}
