using IommuFd.Engine.Diagnostics;
using IommuFd.Interop;
using static IommuFd.Engine.Tests.Calls;

namespace IommuFd.Engine.Tests;

public unsafe class IoasTests
{
    private const ulong Page = 4096, Huge = 2UL << 20;
    private EngineBackend _engine = null!;
    private int _fd;

    [SetUp]
    public void SetUp()
    {
        _engine = new EngineBackend();
        _fd = _engine.Open("/dev/iommu");
    }

    [TearDown]
    public void TearDown()
    {
        Assert.That(Invariants.Check(_engine.ContextOf(_fd)!), Is.Empty);
        _engine.Dispose();
    }

    [Test]
    public void IdsAreLowestFreeAndDestroyReleasesThem()
    {
        Assert.That(AllocIoas(_engine, _fd), Is.EqualTo(1u));
        Assert.That(AllocIoas(_engine, _fd), Is.EqualTo(2u));
        Assert.That(AllocIoas(_engine, _fd), Is.EqualTo(3u));
        Assert.That(Destroy(_engine, _fd, 2), Is.EqualTo(0));
        Assert.That(Destroy(_engine, _fd, 2), Is.EqualTo(-ENOENT));
        Assert.That(Destroy(_engine, _fd, 0), Is.EqualTo(-ENOENT));
        Assert.That(AllocIoas(_engine, _fd), Is.EqualTo(2u));
    }

    [Test]
    public void AllocWithFlagsIsEopnotsuppAndConsumesNoId()
    {
        var cmd = new iommu_ioas_alloc { size = Size<iommu_ioas_alloc>(), flags = 1 };
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_IOAS_ALLOC, ref cmd), Is.EqualTo(-EOPNOTSUPP));
        Assert.That(AllocIoas(_engine, _fd), Is.EqualTo(1u));
    }

    [Test]
    public void EmptyIoasReportsTheWholeSpaceWithTheTwoCallProtocol()
    {
        uint ioas = AllocIoas(_engine, _fd);
        var ranges = stackalloc iommu_iova_range[2];
        var cmd = new iommu_ioas_iova_ranges { size = Size<iommu_ioas_iova_ranges>(), ioas_id = ioas, num_iovas = 0, allowed_iovas = (ulong)ranges };
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_IOAS_IOVA_RANGES, ref cmd), Is.EqualTo(-EMSGSIZE));
        Assert.That(cmd.num_iovas, Is.EqualTo(1u));
        cmd.num_iovas = 2;
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_IOAS_IOVA_RANGES, ref cmd), Is.EqualTo(0));
        Assert.That(cmd.num_iovas, Is.EqualTo(1u));
        Assert.That(cmd.out_iova_alignment, Is.EqualTo(1ul));
        Assert.That(ranges[0].start, Is.EqualTo(0ul));
        Assert.That(ranges[0].last, Is.EqualTo(ulong.MaxValue));
    }

    [Test]
    public void AutomaticIovaFollowsTheKernelAllocator()
    {
        uint ioas = AllocIoas(_engine, _fd);
        ulong iova = 0;
        Assert.That(Map(_engine, _fd, ioas, Huge * 16, Page, ref iova, false), Is.EqualTo(0));
        Assert.That(iova, Is.EqualTo(0x1000ul));
        Assert.That(Map(_engine, _fd, ioas, Huge * 16, 3 * Page, ref iova, false), Is.EqualTo(0));
        Assert.That(iova, Is.EqualTo(0x4000ul));
        // Sub-page user offset: OR-ed into the aligned start; 1 byte at VA ...+0x10 → align 1.
        Assert.That(Map(_engine, _fd, ioas, Huge * 16 + 0x10, 1, ref iova, false), Is.EqualTo(0));
        Assert.That(iova, Is.EqualTo(0x2010ul));
        // A 1 GiB map is capped at HPAGE alignment.
        Assert.That(Map(_engine, _fd, ioas, 1UL << 40, 1UL << 30, ref iova, false), Is.EqualTo(0));
        Assert.That(iova, Is.EqualTo(Huge));
    }

    [Test]
    public void AllowedRangesSteerAutomaticAllocationButNotFixedMaps()
    {
        uint ioas = AllocIoas(_engine, _fd);
        var allowed = stackalloc iommu_iova_range[2];
        allowed[0] = new iommu_iova_range { start = 0x100000, last = 0x1FFFFF };
        allowed[1] = new iommu_iova_range { start = 0x200000, last = 0x2FFFFF };
        var cmd = new iommu_ioas_allow_iovas { size = Size<iommu_ioas_allow_iovas>(), ioas_id = ioas, num_iovas = 2, allowed_iovas = (ulong)allowed };
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_IOAS_ALLOW_IOVAS, ref cmd), Is.EqualTo(0));
        ulong iova = 0;
        // A 2 MiB-aligned VA would ask for 2 MiB alignment: no room in [1 MiB, 3 MiB).
        Assert.That(Map(_engine, _fd, ioas, Huge, 0x180000, ref iova, false), Is.EqualTo(-ENOSPC));
        Assert.That(Map(_engine, _fd, ioas, 0x100000, 0x180000, ref iova, false), Is.EqualTo(0));
        Assert.That(iova, Is.EqualTo(0x100000ul)); // adjacent allowed ranges merge into one span
        iova = 0x10000000;
        Assert.That(Map(_engine, _fd, ioas, Huge, Page, ref iova, true), Is.EqualTo(0));
        allowed[0] = new iommu_iova_range { start = 5, last = 5 };
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_IOAS_ALLOW_IOVAS, ref cmd), Is.EqualTo(-EINVAL));
        allowed[0] = new iommu_iova_range { start = 0x200000, last = 0x200010 };
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_IOAS_ALLOW_IOVAS, ref cmd), Is.EqualTo(-EINVAL));
    }

    [Test]
    public void FixedMapConflictsAndOverflow()
    {
        uint ioas = AllocIoas(_engine, _fd);
        ulong iova = 0;
        Assert.That(Map(_engine, _fd, ioas, 0, Page, ref iova, true), Is.EqualTo(0)); // IOVA 0 and user_va 0 are fine without a domain
        iova = 0x800;
        Assert.That(Map(_engine, _fd, ioas, 0, Page, ref iova, true), Is.EqualTo(-EEXIST));
        iova = ulong.MaxValue;
        Assert.That(Map(_engine, _fd, ioas, 0, Page, ref iova, true), Is.EqualTo(-EOVERFLOW));
        iova = ulong.MaxValue - 10;
        Assert.That(Map(_engine, _fd, ioas, 0, Page, ref iova, true), Is.EqualTo(-EOVERFLOW));
        iova = 0x10000;
        Assert.That(Map(_engine, _fd, ioas, ulong.MaxValue - 100, Page, ref iova, true), Is.EqualTo(-EOVERFLOW));
        Assert.That(Map(_engine, _fd, ioas, 0, 0, ref iova, true), Is.EqualTo(-EINVAL));
        Assert.That(Map(_engine, _fd, 99, 0, Page, ref iova, true), Is.EqualTo(-ENOENT));
    }

    [Test]
    public void UnmapNeedsWholeAreasAndIsNotAtomic()
    {
        uint ioas = AllocIoas(_engine, _fd);
        for (ulong i = 0; i < 4; i++)
        {
            ulong iova = 0x10000 + i * Page;
            Assert.That(Map(_engine, _fd, ioas, 0x40000000, Page, ref iova, true), Is.EqualTo(0));
        }
        ulong len = Page + 1;
        Assert.That(Unmap(_engine, _fd, ioas, 0x10000, ref len), Is.EqualTo(-ENOENT)); // second area sticks out
        len = Page;
        Assert.That(Unmap(_engine, _fd, ioas, 0x10000, ref len), Is.EqualTo(-ENOENT)); // already gone
        len = 3 * Page;
        Assert.That(Unmap(_engine, _fd, ioas, 0x11000, ref len), Is.EqualTo(0));
        Assert.That(len, Is.EqualTo(3 * Page));
        len = 0;
        Assert.That(Unmap(_engine, _fd, ioas, 0x11000, ref len), Is.EqualTo(-EINVAL));
        len = ulong.MaxValue;
        Assert.That(Unmap(_engine, _fd, ioas, 0, ref len), Is.EqualTo(0)); // unmap-all on empty
        Assert.That(len, Is.EqualTo(0ul));
        len = ulong.MaxValue;
        Assert.That(Unmap(_engine, _fd, ioas, 1, ref len), Is.EqualTo(-EOVERFLOW));
    }

    [Test]
    public void CopySharesPagesAndChecksTheSourceChain()
    {
        uint a = AllocIoas(_engine, _fd), b = AllocIoas(_engine, _fd);
        ulong iova = 0x100000;
        Assert.That(Map(_engine, _fd, a, 0x7000_0000, 2 * Page, ref iova, true), Is.EqualTo(0));
        iova = 0x102000;
        Assert.That(Map(_engine, _fd, a, 0x8000_0000, 2 * Page, ref iova, true, write: false), Is.EqualTo(0));
        ulong dst = 0;
        Assert.That(Copy(_engine, _fd, b, a, 0x100800, 3 * Page, ref dst, false, write: false), Is.EqualTo(0));
        Assert.That(dst % 0x800, Is.EqualTo(0ul));
        Assert.That(Copy(_engine, _fd, b, a, 0x100000, 4 * Page, ref dst, false, write: true), Is.EqualTo(-EPERM));
        Assert.That(Copy(_engine, _fd, b, a, 0x0FF000, 2 * Page, ref dst, false), Is.EqualTo(-ENOENT));
        Assert.That(Copy(_engine, _fd, b, a, 0x100000, 5 * Page, ref dst, false), Is.EqualTo(-ENOENT));
        Assert.That(Copy(_engine, _fd, a, a, 0x100000, Page, ref dst, false), Is.EqualTo(0)); // same IOAS
        ulong len = ulong.MaxValue;
        Assert.That(Unmap(_engine, _fd, a, 0, ref len), Is.EqualTo(0));
        Assert.That(len, Is.EqualTo(5 * Page));
    }

    [Test]
    public void OptionsRlimitAndHugePages()
    {
        var opt = new iommu_option { size = Size<iommu_option>(), option_id = (uint)Iommufd.IOMMU_OPTION_RLIMIT_MODE, op = (ushort)Iommufd.IOMMU_OPTION_OP_GET };
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_OPTION, ref opt), Is.EqualTo(0));
        Assert.That(opt.val64, Is.EqualTo(0ul));
        opt.op = (ushort)Iommufd.IOMMU_OPTION_OP_SET; opt.val64 = 1;
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_OPTION, ref opt), Is.EqualTo(0));
        opt.val64 = 2;
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_OPTION, ref opt), Is.EqualTo(-EINVAL));
        uint ioas = AllocIoas(_engine, _fd);
        opt.val64 = 0;
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_OPTION, ref opt), Is.EqualTo(-EBUSY));

        ulong iova = 0x10000;
        Assert.That(Map(_engine, _fd, ioas, 0x200, 0x800, ref iova, true), Is.EqualTo(0));
        var huge = new iommu_option { size = Size<iommu_option>(), option_id = (uint)Iommufd.IOMMU_OPTION_HUGE_PAGES, op = (ushort)Iommufd.IOMMU_OPTION_OP_SET, object_id = ioas, val64 = 0 };
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_OPTION, ref huge), Is.EqualTo(-EADDRINUSE));
        ulong len = ulong.MaxValue;
        Assert.That(Unmap(_engine, _fd, ioas, 0, ref len), Is.EqualTo(0));
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_OPTION, ref huge), Is.EqualTo(0));
        huge.op = (ushort)Iommufd.IOMMU_OPTION_OP_GET; huge.val64 = 77;
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_OPTION, ref huge), Is.EqualTo(0));
        Assert.That(huge.val64, Is.EqualTo(0ul));
        Assert.That(Map(_engine, _fd, ioas, 0, 0x800, ref iova, true), Is.EqualTo(-EINVAL));
        huge.object_id = 0;
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_OPTION, ref huge), Is.EqualTo(-ENOENT));
    }

    [Test]
    public void VfioCompatMapUnmapAndGetInfo()
    {
        uint ioas = AllocIoas(_engine, _fd);
        var vi = new iommu_vfio_ioas { size = Size<iommu_vfio_ioas>(), op = (ushort)Iommufd.IOMMU_VFIO_IOAS_GET };
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_VFIO_IOAS, ref vi), Is.EqualTo(-ENODEV));
        vi.op = (ushort)Iommufd.IOMMU_VFIO_IOAS_SET; vi.ioas_id = ioas;
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_VFIO_IOAS, ref vi), Is.EqualTo(0));

        var map = new vfio_iommu_type1_dma_map { argsz = Size<vfio_iommu_type1_dma_map>(), flags = 0, vaddr = 0x1000000, iova = 0x4000, size = 0x4000 };
        Assert.That(Call(_engine, _fd, Vfio.VFIO_IOMMU_MAP_DMA, ref map), Is.EqualTo(0));
        var unmap = new vfio_iommu_type1_dma_unmap { argsz = Size<vfio_iommu_type1_dma_unmap>(), iova = 0x100000, size = 0x1000 };
        Assert.That(Call(_engine, _fd, Vfio.VFIO_IOMMU_UNMAP_DMA, ref unmap), Is.EqualTo(0)); // empty range: success
        Assert.That(unmap.size, Is.EqualTo(0ul));
        // Type1 v1 punches holes.
        Assert.That(_engine.Ioctl(_fd, Vfio.VFIO_SET_IOMMU, (void*)Vfio.VFIO_TYPE1_IOMMU), Is.EqualTo(0));
        unmap.iova = 0x5000; unmap.size = 0x1000;
        Assert.That(Call(_engine, _fd, Vfio.VFIO_IOMMU_UNMAP_DMA, ref unmap), Is.EqualTo(0));
        Assert.That(unmap.size, Is.EqualTo(0x1000ul));

        byte* buf = stackalloc byte[128];
        for (uint argsz = 16; argsz <= 96; argsz += 4)
        {
            new Span<byte>(buf, 128).Fill(0xAA);
            *(uint*)buf = argsz;
            Assert.That(_engine.Ioctl(_fd, Vfio.VFIO_IOMMU_GET_INFO, buf), Is.EqualTo(0));
            Assert.That(*(uint*)buf, Is.EqualTo(72u), $"argsz {argsz}");
            Assert.That(buf[argsz], Is.EqualTo((byte)0xAA), $"nothing past argsz {argsz}");
            if (argsz >= 24)
                Assert.That(*(uint*)(buf + 16), Is.EqualTo(argsz >= 72 ? 24u : 0u));
        }
        Assert.That(*(ulong*)(buf + 8), Is.EqualTo(0xFFFFFFFFFFFFF000ul));
        Assert.That(*(ushort*)(buf + 24), Is.EqualTo((ushort)3));    // dma avail cap
        Assert.That(*(uint*)(buf + 28), Is.EqualTo(40u));            // next → iova cap
        Assert.That(*(uint*)(buf + 32), Is.EqualTo(uint.MaxValue));
        Assert.That(*(ushort*)(buf + 40), Is.EqualTo((ushort)1));    // iova range cap
        Assert.That(*(uint*)(buf + 48), Is.EqualTo(1u));
        Assert.That(*(ulong*)(buf + 64), Is.EqualTo(ulong.MaxValue));
    }

    [Test]
    public void CloseDestroysEverythingAndReopenStartsFresh()
    {
        uint ioas = AllocIoas(_engine, _fd);
        ulong iova = 0;
        Assert.That(Map(_engine, _fd, ioas, 0x1000, Page, ref iova, false), Is.EqualTo(0));
        var ctx = _engine.ContextOf(_fd)!;
        Assert.That(_engine.Close(_fd), Is.EqualTo(0));
        Assert.That(ctx.Objects.IsEmpty);
        _fd = _engine.Open("/dev/vfio/vfio");
        Assert.That(_fd, Is.EqualTo(1000));
        Assert.That(AllocIoas(_engine, _fd), Is.EqualTo(1u));
        var opt = new iommu_option { size = Size<iommu_option>(), option_id = (uint)Iommufd.IOMMU_OPTION_RLIMIT_MODE, op = (ushort)Iommufd.IOMMU_OPTION_OP_GET };
        Assert.That(Call(_engine, _fd, Iommufd.IOMMU_OPTION, ref opt), Is.EqualTo(0));
        Assert.That(opt.val64, Is.EqualTo(1ul));
    }
}
