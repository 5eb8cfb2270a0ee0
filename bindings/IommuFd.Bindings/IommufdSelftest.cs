using IommuFd.Bindings.Internal;
using IommuFd.Interop;

namespace IommuFd.Bindings;

/// <summary>The selftest commands of IOMMU_TEST_CMD (kernels built with CONFIG_IOMMUFD_TEST, and the
/// engine): mock devices and domains, reserved ranges, access objects and checks of the mock page
/// table. Thin wrappers: each fills one arm of <c>struct iommu_test_cmd</c>. A kernel without the
/// selftest answers ENOTTY.</summary>
public sealed partial class IommufdSelftest
{
    private const string Cmd = nameof(IommufdTest.IOMMU_TEST_CMD) + " ";

    internal IommufdSelftest(IommufdContext context) => Context = context;

    /// <summary>The context the commands run on.</summary>
    public IommufdContext Context { get; }

    /// <summary>Issues <paramref name="cmd"/> as given (any op, any field), for tests of the command itself.</summary>
    public Errno TryCommand(ref iommu_test_cmd cmd)
    {
        using IommuFdHandle.FdLease fd = Context.Handle.Borrow();
        return ErrnoNames.FromResult(IommufdTestIoctls.IOMMU_TEST_CMD(Context.Backend, fd.Fd, ref cmd));
    }

    /// <summary>Reserves [<paramref name="start"/>, +<paramref name="length"/>) in <paramref name="ioas"/> (IOMMU_TEST_OP_ADD_RESERVED).</summary>
    public void AddReserved(IoasId ioas, ulong start, ulong length) =>
        Results.ThrowIfFailed(TryAddReserved(ioas, start, length), Cmd + nameof(IommufdTest.IOMMU_TEST_OP_ADD_RESERVED));

    /// <summary>IOMMU_TEST_OP_ADD_RESERVED, returning the errno (EADDRINUSE over a mapping or allowed range).</summary>
    public Errno TryAddReserved(IoasId ioas, ulong start, ulong length)
    {
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_ADD_RESERVED, id = ioas.Value };
        cmd.add_reserved.start = start;
        cmd.add_reserved.length = length;
        return TryCommand(ref cmd);
    }

    /// <summary>Creates a mock device attached to <paramref name="ioas"/> through an automatic mock domain (IOMMU_TEST_OP_MOCK_DOMAIN).</summary>
    public MockDomain MockDomain(IoasId ioas) => MockDomain(ioas.Value);

    /// <summary>Creates a mock device attached to <paramref name="hwpt"/> (IOMMU_TEST_OP_MOCK_DOMAIN).</summary>
    public MockDomain MockDomain(HwptId hwpt) => MockDomain(hwpt.Value);

    /// <summary>IOMMU_TEST_OP_MOCK_DOMAIN on a raw IOAS or HWPT id.</summary>
    public MockDomain MockDomain(uint ptId)
    {
        Results.ThrowIfFailed(TryMockDomain(ptId, out MockDomain domain), Cmd + nameof(IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN));
        return domain;
    }

    /// <summary>IOMMU_TEST_OP_MOCK_DOMAIN, returning the errno on failure.</summary>
    public Errno TryMockDomain(uint ptId, out MockDomain domain)
    {
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN, id = ptId };
        Errno errno = TryCommand(ref cmd);
        domain = errno == Errno.None
            ? new MockDomain(new SelftestId(cmd.mock_domain.out_stdev_id), new HwptId(cmd.mock_domain.out_hwpt_id),
                             new DeviceId(cmd.mock_domain.out_idev_id))
            : default;
        return errno;
    }

    /// <summary>Creates a mock device with <paramref name="deviceFlags"/> (MOCK_FLAGS_DEVICE_NO_DIRTY,
    /// MOCK_FLAGS_DEVICE_HUGE_IOVA) attached to <paramref name="ptId"/> (IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS).</summary>
    public MockDomain MockDomainFlags(uint ptId, uint deviceFlags)
    {
        Results.ThrowIfFailed(TryMockDomainFlags(ptId, deviceFlags, out MockDomain domain),
                              Cmd + nameof(IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS));
        return domain;
    }

    /// <summary>IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, returning the errno on failure.</summary>
    public Errno TryMockDomainFlags(uint ptId, uint deviceFlags, out MockDomain domain)
    {
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, id = ptId };
        cmd.mock_domain_flags.dev_flags = deviceFlags;
        Errno errno = TryCommand(ref cmd);
        domain = errno == Errno.None
            ? new MockDomain(new SelftestId(cmd.mock_domain_flags.out_stdev_id), new HwptId(cmd.mock_domain_flags.out_hwpt_id),
                             new DeviceId(cmd.mock_domain_flags.out_idev_id))
            : default;
        return errno;
    }

    /// <summary>Moves the mock device of <paramref name="stdev"/> to <paramref name="ptId"/> (an IOAS or HWPT)
    /// without detaching (IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE); returns the HWPT it is now attached to.</summary>
    public HwptId MockDomainReplace(SelftestId stdev, uint ptId)
    {
        Results.ThrowIfFailed(TryMockDomainReplace(stdev, ptId, out HwptId hwpt),
                              Cmd + nameof(IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE));
        return hwpt;
    }

    /// <summary>IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, returning the errno on failure.</summary>
    public Errno TryMockDomainReplace(SelftestId stdev, uint ptId, out HwptId hwpt)
    {
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, id = stdev.Value };
        cmd.mock_domain_replace.pt_id = ptId;
        Errno errno = TryCommand(ref cmd);
        hwpt = new HwptId(errno == Errno.None ? cmd.mock_domain_replace.pt_id : 0);
        return errno;
    }

    /// <summary>Checks that the mock domain of <paramref name="hwpt"/> maps [<paramref name="iova"/>, +<paramref name="length"/>)
    /// to the physical pages behind <paramref name="userVa"/> (IOMMU_TEST_OP_MD_CHECK_MAP): EINVAL when not.</summary>
    public void CheckMap(HwptId hwpt, ulong iova, ulong length, ulong userVa) =>
        Results.ThrowIfFailed(TryCheckMap(hwpt, iova, length, userVa), Cmd + nameof(IommufdTest.IOMMU_TEST_OP_MD_CHECK_MAP));

    /// <summary>IOMMU_TEST_OP_MD_CHECK_MAP, returning the errno.</summary>
    public Errno TryCheckMap(HwptId hwpt, ulong iova, ulong length, ulong userVa)
    {
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_MD_CHECK_MAP, id = hwpt.Value };
        cmd.check_map.iova = iova;
        cmd.check_map.length = length;
        cmd.check_map.uptr = userVa;
        return TryCommand(ref cmd);
    }

    /// <summary>Checks that every page of [<paramref name="userVa"/>, +<paramref name="length"/>) is pinned
    /// <paramref name="refs"/> times (IOMMU_TEST_OP_MD_CHECK_REFS): EIO when not.</summary>
    public void CheckRefs(ulong userVa, ulong length, uint refs) =>
        Results.ThrowIfFailed(TryCheckRefs(userVa, length, refs), Cmd + nameof(IommufdTest.IOMMU_TEST_OP_MD_CHECK_REFS));

    /// <summary>IOMMU_TEST_OP_MD_CHECK_REFS, returning the errno.</summary>
    public Errno TryCheckRefs(ulong userVa, ulong length, uint refs)
    {
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_MD_CHECK_REFS };
        cmd.check_refs.length = length;
        cmd.check_refs.uptr = userVa;
        cmd.check_refs.refs = refs;
        return TryCommand(ref cmd);
    }

    /// <summary>Checks IOTLB slot <paramref name="iotlbId"/> of a nested mock HWPT holds <paramref name="value"/>
    /// (IOMMU_TEST_OP_MD_CHECK_IOTLB).</summary>
    public void CheckIotlb(HwptId hwpt, uint iotlbId, uint value) =>
        Results.ThrowIfFailed(TryCheckIotlb(hwpt, iotlbId, value), Cmd + nameof(IommufdTest.IOMMU_TEST_OP_MD_CHECK_IOTLB));

    /// <summary>IOMMU_TEST_OP_MD_CHECK_IOTLB, returning the errno.</summary>
    public Errno TryCheckIotlb(HwptId hwpt, uint iotlbId, uint value)
    {
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_MD_CHECK_IOTLB, id = hwpt.Value };
        cmd.check_iotlb.id = iotlbId;
        cmd.check_iotlb.iotlb = value;
        return TryCommand(ref cmd);
    }

    /// <summary>Shrinks the kernel's internal pinning batch memory (IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT; global).</summary>
    public void SetTempMemoryLimit(uint limit) =>
        Results.ThrowIfFailed(TrySetTempMemoryLimit(limit), Cmd + nameof(IommufdTest.IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT));

    /// <summary>IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, returning the errno.</summary>
    public Errno TrySetTempMemoryLimit(uint limit)
    {
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT };
        cmd.memory_limit.limit = limit;
        return TryCommand(ref cmd);
    }

    /// <summary>Marks pages of a dirty-tracking mock HWPT dirty for each bit set in the bitmap at
    /// <paramref name="bitmapVa"/> (IOMMU_TEST_OP_DIRTY); returns how many it marked.</summary>
    public ulong Dirty(HwptId hwpt, ulong iova, ulong length, ulong pageSize, ulong bitmapVa, uint flags = 0)
    {
        Results.ThrowIfFailed(TryDirty(hwpt, iova, length, pageSize, bitmapVa, flags, out ulong count),
                              Cmd + nameof(IommufdTest.IOMMU_TEST_OP_DIRTY));
        return count;
    }

    /// <summary>IOMMU_TEST_OP_DIRTY, returning the errno.</summary>
    public Errno TryDirty(HwptId hwpt, ulong iova, ulong length, ulong pageSize, ulong bitmapVa, uint flags, out ulong count)
    {
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_DIRTY, id = hwpt.Value };
        cmd.dirty.flags = flags;
        cmd.dirty.iova = iova;
        cmd.dirty.length = length;
        cmd.dirty.page_size = pageSize;
        cmd.dirty.uptr = bitmapVa;
        Errno errno = TryCommand(ref cmd);
        count = errno == Errno.None ? cmd.dirty.out_nr_dirty : 0;
        return errno;
    }

    /// <summary>Injects an I/O page fault from a mock device (IOMMU_TEST_OP_TRIGGER_IOPF).</summary>
    public void TriggerIopf(DeviceId device, uint pasid, uint groupId, uint permissions, ulong address) =>
        Results.ThrowIfFailed(TryTriggerIopf(device, pasid, groupId, permissions, address),
                              Cmd + nameof(IommufdTest.IOMMU_TEST_OP_TRIGGER_IOPF));

    /// <summary>IOMMU_TEST_OP_TRIGGER_IOPF, returning the errno.</summary>
    public Errno TryTriggerIopf(DeviceId device, uint pasid, uint groupId, uint permissions, ulong address)
    {
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_TRIGGER_IOPF };
        cmd.trigger_iopf.dev_id = device.Value;
        cmd.trigger_iopf.pasid = pasid;
        cmd.trigger_iopf.grpid = groupId;
        cmd.trigger_iopf.perm = permissions;
        cmd.trigger_iopf.addr = address;
        return TryCommand(ref cmd);
    }
}
