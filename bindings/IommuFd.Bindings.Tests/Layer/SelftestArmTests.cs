using IommuFd.Bindings.Tests.Fakes;
using IommuFd.Interop;

namespace IommuFd.Bindings.Tests.Layer;

/// <summary>Each remaining selftest wrapper puts its op, id and arguments where the kernel reads them.</summary>
[TestFixture]
public unsafe class SelftestArmTests
{
    private ScriptedBackend _backend = null!;
    private IommufdContext _context = null!;
    private iommu_test_cmd _seen;

    [SetUp]
    public void SetUp()
    {
        _backend = new ScriptedBackend();
        _context = IommufdContext.Open(_backend);
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(IommufdTest.IOMMU_TEST_CMD));
            _seen = Arg.As<iommu_test_cmd>(p);
            ref iommu_test_cmd cmd = ref Arg.As<iommu_test_cmd>(p);
            if (cmd.op == (uint)IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS)
                (cmd.mock_domain_flags.out_stdev_id, cmd.mock_domain_flags.out_hwpt_id, cmd.mock_domain_flags.out_idev_id) = (7, 8, 9);
            if (cmd.op == (uint)IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE)
                cmd.mock_domain_replace.pt_id = 31;
            if (cmd.op == (uint)IommufdTest.IOMMU_TEST_OP_DIRTY)
                cmd.dirty.out_nr_dirty = 5;
            return 0;
        };
    }

    [TearDown]
    public void TearDown()
    {
        _context.Dispose();
        _backend.Dispose();
    }

    [Test]
    public void MockDomainFlags_sends_the_device_flags_and_reads_the_ids()
    {
        MockDomain domain = _context.Selftest.MockDomainFlags(4, (uint)IommufdTest.MOCK_FLAGS_DEVICE_NO_DIRTY);
        Assert.That(domain, Is.EqualTo(new MockDomain(new SelftestId(7), new HwptId(8), new DeviceId(9))));
        Assert.That((_seen.op, _seen.id, _seen.mock_domain_flags.dev_flags),
                    Is.EqualTo(((uint)IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, 4u, (uint)IommufdTest.MOCK_FLAGS_DEVICE_NO_DIRTY)));
    }

    [Test]
    public void MockDomainReplace_names_the_selftest_object_and_returns_the_new_hwpt()
    {
        Assert.That(_context.Selftest.MockDomainReplace(new SelftestId(2), 30), Is.EqualTo(new HwptId(31)));
        Assert.That((_seen.op, _seen.id), Is.EqualTo(((uint)IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, 2u)));
    }

    [Test]
    public void CheckMap_CheckRefs_and_CheckIotlb_fill_their_arms()
    {
        _context.Selftest.CheckMap(new HwptId(3), 0x1000, 0x2000, 0x7000);
        Assert.That((_seen.op, _seen.id, _seen.check_map.iova, _seen.check_map.length, _seen.check_map.uptr),
                    Is.EqualTo(((uint)IommufdTest.IOMMU_TEST_OP_MD_CHECK_MAP, 3u, 0x1000UL, 0x2000UL, 0x7000UL)));
        _context.Selftest.CheckRefs(0x7000, 0x1000, 1);
        Assert.That((_seen.op, _seen.check_refs.uptr, _seen.check_refs.length, _seen.check_refs.refs),
                    Is.EqualTo(((uint)IommufdTest.IOMMU_TEST_OP_MD_CHECK_REFS, 0x7000UL, 0x1000UL, 1u)));
        _context.Selftest.CheckIotlb(new HwptId(6), 2, 0xbadbeef);
        Assert.That((_seen.op, _seen.id, _seen.check_iotlb.id, _seen.check_iotlb.iotlb),
                    Is.EqualTo(((uint)IommufdTest.IOMMU_TEST_OP_MD_CHECK_IOTLB, 6u, 2u, 0xbadbeefu)));
    }

    [Test]
    public void Dirty_fills_its_arm_and_returns_the_count()
    {
        Assert.That(_context.Selftest.Dirty(new HwptId(3), 0x10000, 0x8000, 0x1000, 0x5000), Is.EqualTo(5));
        Assert.That((_seen.op, _seen.id, _seen.dirty.iova, _seen.dirty.length, _seen.dirty.page_size, _seen.dirty.uptr),
                    Is.EqualTo(((uint)IommufdTest.IOMMU_TEST_OP_DIRTY, 3u, 0x10000UL, 0x8000UL, 0x1000UL, 0x5000UL)));
    }

    [Test]
    public void TriggerIopf_and_SetTempMemoryLimit_fill_their_arms()
    {
        _context.Selftest.TriggerIopf(new DeviceId(4), 1, 2, 3, 0xABC000);
        Assert.That((_seen.op, _seen.trigger_iopf.dev_id, _seen.trigger_iopf.pasid, _seen.trigger_iopf.grpid,
                     _seen.trigger_iopf.perm, _seen.trigger_iopf.addr),
                    Is.EqualTo(((uint)IommufdTest.IOMMU_TEST_OP_TRIGGER_IOPF, 4u, 1u, 2u, 3u, 0xABC000UL)));
        _context.Selftest.SetTempMemoryLimit(100);
        Assert.That((_seen.op, _seen.memory_limit.limit), Is.EqualTo(((uint)IommufdTest.IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, 100u)));
    }

    [Test]
    public void AccessReplaceIoas_names_the_access_fd_and_the_new_IOAS()
    {
        using var access = new IommuFdHandle(_backend, 61);
        _context.Selftest.AccessReplaceIoas(access, new IoasId(12));
        Assert.That((_seen.op, _seen.id, _seen.access_replace_ioas.ioas_id),
                    Is.EqualTo(((uint)IommufdTest.IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, 61u, 12u)));
    }

    [Test]
    public void TryCommand_sends_the_struct_as_given_apart_from_size()
    {
        var cmd = new iommu_test_cmd { op = 999, id = 5, __reserved = 7 };
        Assert.That(_context.Selftest.TryCommand(ref cmd), Is.EqualTo(Errno.None));
        Assert.That((_seen.size, _seen.op, _seen.id, _seen.__reserved), Is.EqualTo(((uint)sizeof(iommu_test_cmd), 999u, 5u, 7u)));
    }
}
