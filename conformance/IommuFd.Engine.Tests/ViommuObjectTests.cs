using IommuFd.Bindings.Backends;
using IommuFd.Interop;
using IommuFd.Engine.Diagnostics;
using static IommuFd.Engine.Tests.Calls;
using Stable = IommuFd.Interop.Stable;

namespace IommuFd.Engine.Tests;

/// <summary>7.3's vIOMMU objects in the engine: the users counts the object graph implies hold at every
/// step (Invariants), and what unbinding and closing do to them. The answers themselves are checked
/// against the kernel by the viommu-* traces (ViommuTests).</summary>
public class ViommuObjectTests
{
    private const uint NestParent = (uint)Iommufd.IOMMU_HWPT_ALLOC_NEST_PARENT;

    private EngineBackend _engine = null!;
    private UserMemory _mem = null!;
    private int _fd;
    private uint _ioas, _stdev, _idev, _parent, _viommu;

    [SetUp]
    public void SetUp()
    {
        _engine = new EngineBackend(EngineOptions.Default with { IommufdTest = true, Release = KernelRelease.Stable });
        _mem = _engine.Allocate(4096);
        _fd = _engine.Open("/dev/iommu");
        _ioas = AllocIoas(_engine, _fd);
        var md = new iommu_test_cmd { size = Size<iommu_test_cmd>(), op = IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN, id = _ioas };
        Assert.That(Call(_engine, _fd, IommufdTest.IOMMU_TEST_CMD, ref md), Is.EqualTo(0));
        (_stdev, _idev) = (md.mock_domain.out_stdev_id, md.mock_domain.out_idev_id);
        var hwpt = new iommu_hwpt_alloc { size = Size<iommu_hwpt_alloc>(), flags = NestParent, dev_id = _idev, pt_id = _ioas };
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_HWPT_ALLOC, ref hwpt), Is.EqualTo(0));
        _parent = hwpt.out_hwpt_id;
        var viommu = new Stable.iommu_viommu_alloc
        {
            size = Size<Stable.iommu_viommu_alloc>(), type = Stable.IommufdTest.IOMMU_VIOMMU_TYPE_SELFTEST, dev_id = _idev, hwpt_id = _parent,
        };
        Assert.That(Call(_engine, _fd, Stable.Iommufd.IOMMU_VIOMMU_ALLOC, ref viommu), Is.EqualTo(0));
        _viommu = viommu.out_viommu_id;
    }

    [TearDown]
    public void TearDown()
    {
        _engine.Dispose();
        _mem.Dispose();
    }

    private void AssertConsistent() => Assert.That(Invariants.Check(_engine.ContextOf(_fd)!), Is.Empty);

    private uint Vdevice(ulong virtId)
    {
        var cmd = new Stable.iommu_vdevice_alloc { size = Size<Stable.iommu_vdevice_alloc>(), viommu_id = _viommu, dev_id = _idev, virt_id = virtId };
        Assert.That(Call(_engine, _fd, Stable.Iommufd.IOMMU_VDEVICE_ALLOC, ref cmd), Is.EqualTo(0));
        return cmd.out_vdevice_id;
    }

    private (uint Id, int Fd) Veventq(uint depth)
    {
        var cmd = new Stable.iommu_veventq_alloc
        {
            size = Size<Stable.iommu_veventq_alloc>(), viommu_id = _viommu, type = Stable.IommufdTest.IOMMU_VEVENTQ_TYPE_SELFTEST, veventq_depth = depth,
        };
        Assert.That(Call(_engine, _fd, Stable.Iommufd.IOMMU_VEVENTQ_ALLOC, ref cmd), Is.EqualTo(0));
        return (cmd.out_veventq_id, (int)cmd.out_veventq_fd);
    }

    [Test]
    public void EveryObjectCountsWhatHoldsIt()
    {
        AssertConsistent();
        uint vdev = Vdevice(1);
        (uint queue, int queueFd) = Veventq(2);
        AssertConsistent();
        Assert.That(Destroy(_engine, _fd, _viommu), Is.EqualTo(-ErrnoValues.EBUSY));
        Assert.That(Destroy(_engine, _fd, queue), Is.EqualTo(-ErrnoValues.EBUSY), "the fd holds the queue");
        Assert.That(_engine.Close(queueFd), Is.EqualTo(0));
        Assert.That(Destroy(_engine, _fd, queue), Is.EqualTo(0));
        Assert.That(Destroy(_engine, _fd, vdev), Is.EqualTo(0));
        AssertConsistent();
        Assert.That(Destroy(_engine, _fd, _viommu), Is.EqualTo(0));
        Assert.That(Destroy(_engine, _fd, _parent), Is.EqualTo(0));
        AssertConsistent();
    }

    [Test]
    public void UnbindingTombstonesTheVdevice()
    {
        uint vdev = Vdevice(7);
        Assert.That(Destroy(_engine, _fd, _stdev), Is.EqualTo(0));
        AssertConsistent();
        Assert.That(Destroy(_engine, _fd, vdev), Is.EqualTo(-ErrnoValues.ENOENT));
        Assert.That(Destroy(_engine, _fd, _viommu), Is.EqualTo(0), "the vDEVICE's reference went with it");
        // The tombstone's ID stays reserved: new IOASes take the free IDs below and above it.
        var ids = Enumerable.Range(0, 5).Select(_ => AllocIoas(_engine, _fd)).ToArray();
        Assert.That(ids, Does.Not.Contain(vdev));
    }

    [Test]
    public void ClosingTheIommufdLeavesAnOpenQueueReadable()
    {
        _ = Vdevice(3);
        (_, int queueFd) = Veventq(1);
        Assert.That(_engine.Close(_fd), Is.EqualTo(0));
        var buffer = new byte[16];
        Assert.That(_engine.Read(queueFd, buffer), Is.EqualTo(0), "the context lives on with the queue's fd");
        Assert.That(_engine.Close(queueFd), Is.EqualTo(0));
    }
}
