using System.Buffers.Binary;
using IommuFd.Bindings.Backends;
using IommuFd.Interop;
using static IommuFd.Engine.Tests.Calls;

namespace IommuFd.Engine.Tests;

/// <summary>Nested HWPTs of the mock IOMMU, invalidation, fault queues and IOPF, as
/// iommufd_ioas.alloc_hwpt_nested (6.12) runs them.</summary>
public class NestedHwptTests
{
    private const uint DataSelftest = 0xdead, InvalidateSelftest = 0xdeadbeef, IotlbDefault = 0xbadbeef;
    private const uint NestParent = (uint)Iommufd.IOMMU_HWPT_ALLOC_NEST_PARENT, FaultIdValid = (uint)Iommufd.IOMMU_HWPT_FAULT_ID_VALID;
    private const int ESPIPE = 29;

    private EngineBackend _engine = null!;
    private UserMemory _mem = null!;
    private int _fd;
    private uint _ioas, _stdev, _idev;

    [SetUp]
    public void SetUp()
    {
        _engine = new EngineBackend(EngineOptions.Default with { IommufdTest = true });
        _mem = _engine.Allocate(4096);
        _fd = _engine.Open("/dev/iommu");
        _ioas = AllocIoas(_engine, _fd);
        var md = TestCmd(IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN, _ioas);
        Assert.That(md.rc, Is.EqualTo(0));
        (_stdev, _idev) = (md.cmd.mock_domain.out_stdev_id, md.cmd.mock_domain.out_idev_id);
    }

    [TearDown]
    public void TearDown()
    {
        _engine.Dispose();
        _mem.Dispose();
    }

    private (int rc, iommu_test_cmd cmd) TestCmd(uint op, uint id) =>
        TestCmd(new iommu_test_cmd { size = Size<iommu_test_cmd>(), op = op, id = id });

    private (int rc, iommu_test_cmd cmd) TestCmd(iommu_test_cmd cmd)
    {
        int rc = Call(_engine, _fd, IommufdTest.IOMMU_TEST_CMD, ref cmd);
        return (rc, cmd);
    }

    private int HwptAlloc(uint pt, uint flags, out uint id, uint dataType = 0, uint dataLen = 0, ulong dataUptr = 0, uint faultId = 0)
    {
        var cmd = new iommu_hwpt_alloc
        {
            size = Size<iommu_hwpt_alloc>(), flags = flags, dev_id = _idev, pt_id = pt, data_type = dataType,
            data_len = dataLen, data_uptr = dataUptr, fault_id = faultId,
        };
        int rc = Call(_engine, _fd, Iommufd.IOMMU_HWPT_ALLOC, ref cmd);
        id = cmd.out_hwpt_id;
        return rc;
    }

    private uint Nested(uint parent, uint iotlb = IotlbDefault, uint faultId = 0)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_mem.Span, iotlb);
        int rc = HwptAlloc(parent, faultId != 0 ? FaultIdValid : 0, out uint id, DataSelftest, 4, _mem.Address, faultId);
        Assert.That(rc, Is.EqualTo(0));
        return id;
    }

    private int CheckIotlb(uint hwpt, uint iotlbId, uint value)
    {
        var cmd = new iommu_test_cmd { size = Size<iommu_test_cmd>(), op = IommufdTest.IOMMU_TEST_OP_MD_CHECK_IOTLB, id = hwpt };
        cmd.check_iotlb.id = iotlbId;
        cmd.check_iotlb.iotlb = value;
        return TestCmd(cmd).rc;
    }

    private int Invalidate(uint hwpt, ref uint num, uint entryLen = 8, uint dataType = InvalidateSelftest, ulong? uptr = null, params (uint flags, uint id)[] entries)
    {
        for (int i = 0; i < entries.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_mem.Span[(i * 8)..], entries[i].flags);
            BinaryPrimitives.WriteUInt32LittleEndian(_mem.Span[(i * 8 + 4)..], entries[i].id);
        }
        var cmd = new iommu_hwpt_invalidate
        {
            size = Size<iommu_hwpt_invalidate>(), hwpt_id = hwpt, data_uptr = uptr ?? _mem.Address, data_type = dataType,
            entry_len = entryLen, entry_num = num,
        };
        int rc = Call(_engine, _fd, Iommufd.IOMMU_HWPT_INVALIDATE, ref cmd);
        num = cmd.entry_num;
        return rc;
    }

    private int Replace(uint pt)
    {
        var cmd = new iommu_test_cmd { size = Size<iommu_test_cmd>(), op = IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, id = _stdev };
        cmd.mock_domain_replace.pt_id = pt;
        return TestCmd(cmd).rc;
    }

    private int Trigger(uint pasid = 1, uint grpid = 2, ulong addr = 0xdeadbeaf)
    {
        var cmd = new iommu_test_cmd { size = Size<iommu_test_cmd>(), op = IommufdTest.IOMMU_TEST_OP_TRIGGER_IOPF };
        cmd.trigger_iopf.dev_id = _idev;
        cmd.trigger_iopf.pasid = pasid;
        cmd.trigger_iopf.grpid = grpid;
        cmd.trigger_iopf.perm = 3;
        cmd.trigger_iopf.addr = addr;
        return TestCmd(cmd).rc;
    }

    private (uint id, int fd) FaultAlloc()
    {
        var cmd = new iommu_fault_alloc { size = Size<iommu_fault_alloc>() };
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_FAULT_QUEUE_ALLOC, ref cmd), Is.EqualTo(0));
        return (cmd.out_fault_id, (int)cmd.out_fault_fd);
    }

    private static byte[] Response(uint cookie, uint code)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(b, cookie);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), code);
        return b;
    }

    [Test]
    public void AllocationChecksInKernelOrder()
    {
        Assert.That(HwptAlloc(_ioas, NestParent | FaultIdValid, out _), Is.EqualTo(-EOPNOTSUPP));
        Assert.That(HwptAlloc(_ioas, NestParent, out uint parent), Is.EqualTo(0));
        Assert.That(HwptAlloc(_ioas, 0, out uint notParent), Is.EqualTo(0));
        BinaryPrimitives.WriteUInt32LittleEndian(_mem.Span, IotlbDefault);
        Assert.That(HwptAlloc(parent, 0, out _, 0, 4, _mem.Address), Is.EqualTo(-EINVAL));               // DATA_NONE with a length
        Assert.That(HwptAlloc(parent, 0, out _, DataSelftest + 1, 4, _mem.Address), Is.EqualTo(-EOPNOTSUPP));
        Assert.That(HwptAlloc(parent, 0, out _, DataSelftest, 3, _mem.Address), Is.EqualTo(-EINVAL));
        Assert.That(HwptAlloc(parent, 0, out _, DataSelftest, 5, _mem.Address), Is.EqualTo(-EINVAL));    // longer is EINVAL too
        Assert.That(HwptAlloc(parent, 0, out _, DataSelftest, 4, 0), Is.EqualTo(-EFAULT));
        Assert.That(HwptAlloc(parent, NestParent, out _, DataSelftest, 4, _mem.Address), Is.EqualTo(-EOPNOTSUPP));
        Assert.That(HwptAlloc(notParent, 0, out _, DataSelftest, 4, _mem.Address), Is.EqualTo(-EINVAL));
        Assert.That(HwptAlloc(parent, FaultIdValid, out _, DataSelftest, 4, _mem.Address, faultId: 99), Is.EqualTo(-ENOENT));
        uint nested = Nested(parent);
        Assert.That(nested, Is.EqualTo(parent + 2), "failed allocations free their IDs");
        Assert.That(HwptAlloc(nested, 0, out _, DataSelftest, 4, _mem.Address), Is.EqualTo(-EINVAL)); // nested on nested
        Assert.That(Destroy(_engine, _fd, parent), Is.EqualTo(-EBUSY));
        for (uint i = 0; i < 4; i++)
            Assert.That(CheckIotlb(nested, i, IotlbDefault), Is.EqualTo(0));
        Assert.That(CheckIotlb(nested, 4, IotlbDefault), Is.EqualTo(-EINVAL));
        Assert.That(CheckIotlb(parent, 0, IotlbDefault), Is.EqualTo(-ENOENT));
        Assert.That(Destroy(_engine, _fd, nested), Is.EqualTo(0));
        Assert.That(Destroy(_engine, _fd, parent), Is.EqualTo(0));
        Assert.That(Diagnostics.Invariants.Check(_engine.ContextOf(_fd)!), Is.Empty);
    }

    [Test]
    public void InvalidationHandlesEntriesInOrder()
    {
        Assert.That(HwptAlloc(_ioas, NestParent, out uint parent), Is.EqualTo(0));
        uint nested = Nested(parent);
        uint num = 1;
        Assert.That(Invalidate(parent, ref num, entries: (0, 0)), Is.EqualTo(-ENOENT));
        Assert.That(num, Is.EqualTo(0u));
        num = 0;
        Assert.That(Invalidate(nested, ref num, dataType: 0xdadbeef), Is.EqualTo(-EINVAL), "the type is checked with no entries");
        num = 0;
        Assert.That(Invalidate(nested, ref num, uptr: 0, entryLen: 0), Is.EqualTo(0));
        num = 1;
        Assert.That(Invalidate(nested, ref num, entryLen: 9, entries: (0, 0)), Is.EqualTo(-EINVAL));
        num = 1;
        Assert.That(Invalidate(nested, ref num, entryLen: 4097, entries: (0, 0)), Is.EqualTo(-EINVAL));
        num = 1;
        Assert.That(Invalidate(nested, ref num, uptr: 0), Is.EqualTo(-EINVAL));
        num = 1;
        Assert.That(Invalidate(nested, ref num, entries: (1, 4)), Is.EqualTo(-EINVAL), "iotlb_id is checked with FLAG_ALL");
        num = 2;
        Assert.That(Invalidate(nested, ref num, entries: [(0, 0), (0xffffffff, 1)]), Is.EqualTo(-EOPNOTSUPP));
        Assert.That(num, Is.EqualTo(1u));
        Assert.That(CheckIotlb(nested, 0, 0), Is.EqualTo(0));
        Assert.That(CheckIotlb(nested, 1, IotlbDefault), Is.EqualTo(0));
        num = 2;
        Assert.That(Invalidate(nested, ref num, entries: [(0, 2), (0, 3)]), Is.EqualTo(0));
        Assert.That(num, Is.EqualTo(2u));
        Assert.That(CheckIotlb(nested, 3, 0), Is.EqualTo(0));
        num = 1;
        Assert.That(Invalidate(nested, ref num, entries: (1, 0)), Is.EqualTo(0));
        Assert.That(CheckIotlb(nested, 1, 0), Is.EqualTo(0));
    }

    [Test]
    public void AttachReplaceAndDestroyOrder()
    {
        Assert.That(HwptAlloc(_ioas, NestParent, out uint parent), Is.EqualTo(0));
        uint n0 = Nested(parent), n1 = Nested(parent);
        Assert.That(Replace(n0), Is.EqualTo(0));
        Assert.That(Destroy(_engine, _fd, n0), Is.EqualTo(-EBUSY));
        Assert.That(Replace(n1), Is.EqualTo(0));
        Assert.That(Destroy(_engine, _fd, n0), Is.EqualTo(0));
        Assert.That(Diagnostics.Invariants.Check(_engine.ContextOf(_fd)!), Is.Empty);
        // A second mock device attaches to the nested HWPT directly.
        var md = TestCmd(IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN, n1);
        Assert.That(md.rc, Is.EqualTo(0));
        Assert.That(md.cmd.mock_domain.out_hwpt_id, Is.EqualTo(n1));
        Assert.That(Destroy(_engine, _fd, md.cmd.mock_domain.out_stdev_id), Is.EqualTo(0));
        Assert.That(Replace(_ioas), Is.EqualTo(0));
        Assert.That(Destroy(_engine, _fd, n1), Is.EqualTo(0));
        Assert.That(Destroy(_engine, _fd, parent), Is.EqualTo(0));
        Assert.That(Diagnostics.Invariants.Check(_engine.ContextOf(_fd)!), Is.Empty);
    }

    [Test]
    public void PageRequestsAreReadAndAnswered()
    {
        Assert.That(HwptAlloc(_ioas, NestParent, out uint parent), Is.EqualTo(0));
        (uint faultId, int faultFd) = FaultAlloc();
        uint iopf = Nested(parent, faultId: faultId);
        uint plain = Nested(parent);
        Assert.That(Destroy(_engine, _fd, faultId), Is.EqualTo(-EBUSY));
        Assert.That(Trigger(), Is.EqualTo(0), "attached to the IOAS: nothing delivered");
        Assert.That(Replace(iopf), Is.EqualTo(0));
        Assert.That(Trigger(), Is.EqualTo(0));
        Assert.That(Trigger(pasid: 0, grpid: 7, addr: 0x1000), Is.EqualTo(0));
        Assert.That(_engine.Read(faultFd, new byte[0]), Is.EqualTo(-EINVAL));
        Assert.That(_engine.Read(faultFd, new byte[41]), Is.EqualTo(-ESPIPE));
        var buf = new byte[120];
        Assert.That(_engine.Read(faultFd, buf), Is.EqualTo(80));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(buf), Is.EqualTo(3u));          // LAST_PAGE | PASID_VALID
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(4)), Is.EqualTo(_idev));
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(buf.AsSpan(24)), Is.EqualTo(0xdeadbeafUL));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(36)), Is.EqualTo(1u));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(40)), Is.EqualTo(2u)); // LAST_PAGE
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(76)), Is.EqualTo(2u));
        Assert.That(_engine.Write(faultFd, Response(1, 2)), Is.EqualTo(-EINVAL));           // bad code
        Assert.That(_engine.Write(faultFd, [.. Response(1, 0), .. Response(9, 0)]), Is.EqualTo(8));
        Assert.That(_engine.Write(faultFd, Response(1, 0)), Is.EqualTo(-EINVAL));           // answered already
        Assert.That(Trigger(), Is.EqualTo(0));
        Assert.That(_engine.Read(faultFd, buf.AsSpan(0, 40)), Is.EqualTo(40));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(36)), Is.EqualTo(1u), "the lowest free cookie");
        Assert.That(Trigger(), Is.EqualTo(0));
        // Replacing the attachment answers its requests, read (cookies 1 and 2) or not.
        Assert.That(Replace(plain), Is.EqualTo(0));
        Assert.That(_engine.Read(faultFd, buf), Is.EqualTo(0));
        Assert.That(_engine.Write(faultFd, Response(2, 0)), Is.EqualTo(-EINVAL));
        Assert.That(Trigger(), Is.EqualTo(0), "a nested HWPT without a fault queue");
        Assert.That(Replace(parent), Is.EqualTo(0));
        Assert.That(Destroy(_engine, _fd, iopf), Is.EqualTo(0));
        Assert.That(Destroy(_engine, _fd, faultId), Is.EqualTo(-EBUSY));
        Assert.That(_engine.Close(faultFd), Is.EqualTo(0));
        Assert.That(Destroy(_engine, _fd, faultId), Is.EqualTo(0));
        Assert.That(Diagnostics.Invariants.Check(_engine.ContextOf(_fd)!), Is.Empty);
    }

    [Test]
    public void CookieZeroFreedByAResponseWhileCookiesAreOut()
    {
        Assert.That(HwptAlloc(_ioas, NestParent, out uint parent), Is.EqualTo(0));
        (uint faultId, int faultFd) = FaultAlloc();
        Assert.That(Replace(Nested(parent, faultId: faultId)), Is.EqualTo(0));
        var buf = new byte[40];
        Assert.That(_engine.Write(faultFd, Response(0, 0)), Is.EqualTo(-EINVAL), "no cookie out: nothing happens");
        Assert.That(Trigger(), Is.EqualTo(0));
        Assert.That(_engine.Read(faultFd, buf), Is.EqualTo(40));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(36)), Is.EqualTo(1u));
        Assert.That(_engine.Write(faultFd, Response(0, 0)), Is.EqualTo(-EINVAL), "erases the xarray's zero entry");
        Assert.That(_engine.Write(faultFd, Response(1, 0)), Is.EqualTo(8));
        Assert.That(Trigger(), Is.EqualTo(0));
        Assert.That(Trigger(), Is.EqualTo(0));
        Assert.That(_engine.Read(faultFd, buf), Is.EqualTo(40));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(36)), Is.EqualTo(0u));
        Assert.That(_engine.Read(faultFd, buf), Is.EqualTo(40));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(36)), Is.EqualTo(1u));
        Assert.That(_engine.Write(faultFd, [.. Response(0, 0), .. Response(1, 1)]), Is.EqualTo(16));
    }

    [Test]
    public void PasidRequestsNeedANestedAttachmentAndDestroyingTheDeviceAnswers()
    {
        Assert.That(HwptAlloc(_ioas, NestParent, out uint parent), Is.EqualTo(0));
        (uint faultId, int faultFd) = FaultAlloc();
        uint iopf = Nested(parent, faultId: faultId);
        var md = TestCmd(IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN, iopf);
        Assert.That(md.rc, Is.EqualTo(0));
        Assert.That(Trigger(pasid: 0), Is.EqualTo(0), "the first device is on the IOAS");
        _idev = md.cmd.mock_domain.out_idev_id;
        Assert.That(Trigger(pasid: 5), Is.EqualTo(0));
        Assert.That(Destroy(_engine, _fd, md.cmd.mock_domain.out_stdev_id), Is.EqualTo(0));
        Assert.That(_engine.Read(faultFd, new byte[40]), Is.EqualTo(0));
        Assert.That(Trigger(), Is.EqualTo(-ENOENT));
    }
}
