using IommuFd.Interop;

namespace IommuFd.Conformance.Traces.Building;

// IOMMU_TEST_CMD of iommufd_test.h, one method per op: {"op":N,"id":...,"<union member>":{...}}.
public sealed partial class TraceBuilder
{
    /// <summary>IOMMU_TEST_OP_ADD_RESERVED: reserves [start, start+length) of an IOAS.</summary>
    public StepHandle TestAddReserved(string label, TraceValue ioas, TraceValue start, TraceValue length, TraceFd fd = default) =>
        TestCmd(label, IommufdTest.IOMMU_TEST_OP_ADD_RESERVED, ioas, "add_reserved", new Args { ["start"] = start, ["length"] = length }, fd);

    /// <summary>IOMMU_TEST_OP_MOCK_DOMAIN: a mock device attached to an IOAS or HWPT.</summary>
    public MockDomainHandle TestMockDomain(string label, TraceValue pt, TraceFd fd = default) =>
        new(label, TestCmd(label, IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN, pt, null, null, fd).Index);

    /// <summary>IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS: the same with <c>MOCK_FLAGS_DEVICE_*</c>.</summary>
    public MockDomainHandle TestMockDomainFlags(string label, TraceValue pt, TraceValue devFlags, TraceFd fd = default) =>
        new(label, TestCmd(label, IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, pt, "mock_domain_flags", new Args { ["dev_flags"] = devFlags }, fd).Index);

    /// <summary>IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE: moves a mock device (its stdev ID) to another IOAS or HWPT.</summary>
    public StepHandle TestMockDomainReplace(string label, TraceValue stdev, TraceValue pt, TraceFd fd = default) =>
        TestCmd(label, IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, stdev, "mock_domain_replace", new Args { ["pt_id"] = pt }, fd);

    /// <summary>IOMMU_TEST_OP_MD_CHECK_MAP: the HWPT maps [iova, iova+length) to the memory at uptr.</summary>
    public StepHandle TestCheckMap(string label, TraceValue hwpt, TraceValue iova, TraceValue length, TraceValue uptr, TraceFd fd = default) =>
        TestCmd(label, IommufdTest.IOMMU_TEST_OP_MD_CHECK_MAP, hwpt, "check_map", new Args { ["iova"] = iova, ["length"] = length, ["uptr"] = uptr }, fd);

    /// <summary>IOMMU_TEST_OP_MD_CHECK_REFS: the pages at uptr have <paramref name="refs"/> pins.</summary>
    public StepHandle TestCheckRefs(string label, TraceValue uptr, TraceValue length, TraceValue refs, TraceFd fd = default) =>
        TestCmd(label, IommufdTest.IOMMU_TEST_OP_MD_CHECK_REFS, null, "check_refs", new Args { ["uptr"] = uptr, ["length"] = length, ["refs"] = refs }, fd);

    /// <summary>IOMMU_TEST_OP_CREATE_ACCESS on an IOAS: the access's fd is the next trace fd
    /// (<see cref="FdHandle.Fd"/>; the access ops name it by <see cref="TraceFd.Number"/>, a close destroys it).</summary>
    public FdHandle TestCreateAccess(string label, TraceValue ioas, TraceValue flags, TraceFd fd = default) =>
        (FdHandle)TestCmd(label, IommufdTest.IOMMU_TEST_OP_CREATE_ACCESS, ioas, "create_access", new Args { ["flags"] = flags }, fd);

    /// <summary>IOMMU_TEST_OP_ACCESS_PAGES: pins [iova, iova+length) through an access, checked against uptr.</summary>
    public AccessPagesHandle TestAccessPages(string label, TraceFd access, TraceValue iova, TraceValue length, TraceValue uptr,
                                             TraceValue flags, TraceFd fd = default) =>
        new(label, TestCmd(label, IommufdTest.IOMMU_TEST_OP_ACCESS_PAGES, access.Number, "access_pages",
            new Args { ["flags"] = flags, ["iova"] = iova, ["length"] = length, ["uptr"] = uptr }, fd).Index);

    /// <summary>IOMMU_TEST_OP_DESTROY_ACCESS_PAGES: releases a pin.</summary>
    public StepHandle TestDestroyAccessPages(string label, TraceFd access, TraceValue pagesId, TraceFd fd = default) =>
        TestCmd(label, IommufdTest.IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, access.Number, "destroy_access_pages",
            new Args { ["access_pages_id"] = pagesId }, fd);

    /// <summary>IOMMU_TEST_OP_ACCESS_RW: reads or writes (<c>MOCK_ACCESS_RW_WRITE</c>) IOVA memory through an access.</summary>
    public StepHandle TestAccessRw(string label, TraceFd access, TraceValue iova, TraceValue length, TraceValue uptr,
                                   TraceValue flags, TraceFd fd = default) =>
        TestCmd(label, IommufdTest.IOMMU_TEST_OP_ACCESS_RW, access.Number, "access_rw",
            new Args { ["iova"] = iova, ["length"] = length, ["uptr"] = uptr, ["flags"] = flags }, fd);

    /// <summary>IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT (global to the kernel: set it back).</summary>
    public StepHandle TestMemoryLimit(string label, TraceValue limit, TraceFd fd = default) =>
        TestCmd(label, IommufdTest.IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, null, "memory_limit", new Args { ["limit"] = limit }, fd);

    /// <summary>IOMMU_TEST_OP_ACCESS_REPLACE_IOAS: moves an access to another IOAS.</summary>
    public StepHandle TestAccessReplaceIoas(string label, TraceFd access, TraceValue ioas, TraceFd fd = default) =>
        TestCmd(label, IommufdTest.IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, access.Number, "access_replace_ioas", new Args { ["ioas_id"] = ioas }, fd);

    /// <summary>IOMMU_TEST_OP_DIRTY: marks the IO pages whose bits are set in the bitmap at uptr dirty.</summary>
    public StepHandle TestDirty(string label, TraceValue hwpt, TraceValue iova, TraceValue length, TraceValue pageSize, TraceValue uptr,
                                TraceFd fd = default) =>
        TestCmd(label, IommufdTest.IOMMU_TEST_OP_DIRTY, hwpt, "dirty",
            new Args { ["iova"] = iova, ["length"] = length, ["page_size"] = pageSize, ["uptr"] = uptr }, fd);

    /// <summary>IOMMU_TEST_OP_MD_CHECK_IOTLB: IOTLB entry <paramref name="iotlbId"/> of a nested HWPT holds <paramref name="iotlb"/>.</summary>
    public StepHandle TestCheckIotlb(string label, TraceValue hwpt, TraceValue iotlbId, TraceValue iotlb, TraceFd fd = default) =>
        TestCmd(label, IommufdTest.IOMMU_TEST_OP_MD_CHECK_IOTLB, hwpt, "check_iotlb", new Args { ["id"] = iotlbId, ["iotlb"] = iotlb }, fd);

    /// <summary>IOMMU_TEST_OP_TRIGGER_IOPF: a page fault from a mock device.</summary>
    public StepHandle TestTriggerIopf(string label, TraceValue devId, TraceValue pasid, TraceValue grpid, TraceValue perm, TraceValue addr,
                                      TraceFd fd = default) =>
        TestCmd(label, IommufdTest.IOMMU_TEST_OP_TRIGGER_IOPF, null, "trigger_iopf",
            new Args { ["dev_id"] = devId, ["pasid"] = pasid, ["grpid"] = grpid, ["perm"] = perm, ["addr"] = addr }, fd);

    /// <summary>IOMMU_TEST_CMD with any op, <c>id</c> and union member (the escape hatch for unknown ops).</summary>
    public StepHandle TestCmd(string label, TraceValue op, TraceValue? id, string? member, Args? fields, TraceFd fd = default)
    {
        var arg = new Args { ["op"] = op }.With("id", id);
        if (member is not null)
            arg[member] = fields ?? new Args();
        return Ioctl(label, nameof(IommufdTest.IOMMU_TEST_CMD), arg, fd);
    }
}
