using IommuFd.Engine.Dispatch;
using IommuFd.Engine.IoPageTable;
using IommuFd.Engine.Objects;
using IommuFd.Interop;

namespace IommuFd.Engine.Handlers;

/// <summary>IOMMU_TEST_CMD of a CONFIG_IOMMUFD_TEST kernel (selftest.c), except the nested, access and IOPF ops.</summary>
internal static class SelftestHandlers
{
    /// <summary>Returned for what the engine does not model yet: nested HWPTs, accesses, IOPF.</summary>
    public const int NotModelled = -38; // ENOSYS: never an iommufd answer, so a conformance diff names it

    public static int TestCmd(IommufdContext ctx, ref UserCommand ucmd)
    {
        ref iommu_test_cmd cmd = ref ucmd.As<iommu_test_cmd>();
        switch (cmd.op)
        {
            case IommufdTest.IOMMU_TEST_OP_ADD_RESERVED:
                return AddReserved(ctx, cmd.id, cmd.add_reserved.start, cmd.add_reserved.length);
            case IommufdTest.IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
                // Only resizes the kernel's batch buffer; below sizeof(long)+sizeof(u32) is refused.
                return cmd.memory_limit.limit < sizeof(ulong) + sizeof(uint) ? -Errno.EINVAL : 0;
            case IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN:
            case IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
                return MockDomainHandlers.MockDomain(ctx, ref ucmd);
            case IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
                return MockDomainHandlers.Replace(ctx, ref ucmd);
            case IommufdTest.IOMMU_TEST_OP_MD_CHECK_MAP:
                return MockDomainHandlers.CheckMap(ctx, cmd.id, cmd.check_map.iova, cmd.check_map.length, cmd.check_map.uptr);
            case IommufdTest.IOMMU_TEST_OP_MD_CHECK_REFS:
                return MockDomainHandlers.CheckRefs(ctx, cmd.check_refs.uptr, cmd.check_refs.length, cmd.check_refs.refs);
            case IommufdTest.IOMMU_TEST_OP_DIRTY:
                return DirtyHandlers.TestDirty(ctx, ref ucmd);
            case IommufdTest.IOMMU_TEST_OP_MD_CHECK_IOTLB: // nested domains only
            case IommufdTest.IOMMU_TEST_OP_CREATE_ACCESS:
            case IommufdTest.IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
            case IommufdTest.IOMMU_TEST_OP_ACCESS_PAGES:
            case IommufdTest.IOMMU_TEST_OP_ACCESS_RW:
            case IommufdTest.IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
            case IommufdTest.IOMMU_TEST_OP_TRIGGER_IOPF:
                return NotModelled;
            default:
                return -Errno.EOPNOTSUPP;
        }
    }

    /// <summary>iommufd_test_add_reserved: a reserved range without owner.</summary>
    private static int AddReserved(IommufdContext ctx, uint ioasId, ulong start, ulong length)
    {
        if (length == 0)
            return -Errno.EINVAL;
        if (start + (length - 1) < start)
            return -Errno.EOVERFLOW;
        Ioas? ioas = ctx.GetIoas(ioasId);
        if (ioas == null)
            return -Errno.ENOENT;
        return ioas.Iopt.ReserveIova(start, start + (length - 1), owner: null);
    }

    /// <summary>iommufd_test_syz_conv_iova_id: with MOCK_FLAGS_ACCESS_SYZ the flag is cleared and
    /// the IOVA is read as {u32 nth_area, u32 offset} of the IOAS (0 when there is no such area).</summary>
    public static void SyzConvertIova(IommufdContext ctx, uint ioasId, ref ulong iova, ref uint flags)
    {
        if ((flags & IommufdTest.MOCK_FLAGS_ACCESS_SYZ) == 0)
            return;
        flags &= ~IommufdTest.MOCK_FLAGS_ACCESS_SYZ;
        Ioas? ioas = ctx.GetIoas(ioasId);
        if (ioas == null)
            return;
        uint nth = (uint)iova, offset = (uint)(iova >> 32);
        ulong converted = 0;
        foreach (Area area in ioas.Iopt.Areas())
        {
            if (nth == 0) { converted = area.Start + offset; break; }
            nth--;
        }
        iova = converted;
    }
}
