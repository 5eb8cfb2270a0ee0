using IommuFd.Bindings.Backends;
using IommuFd.Interop;
using static IommuFd.Engine.Tests.Calls;

namespace IommuFd.Engine.Tests;

/// <summary>What happens when the final copy_to_user fails: ALLOC gives the ID back, MAP keeps the
/// mapping, IOVA_RANGES stops at the faulting array element.</summary>
public unsafe class WriteBackTests
{
    [Test]
    public void RespondFailuresFollowTheKernel()
    {
        using var engine = new EngineBackend();
        int fd = engine.Open("/dev/iommu");
        using UserMemory mem = engine.Allocate(4096);
        var alloc = (iommu_ioas_alloc*)mem.Address;
        *alloc = new iommu_ioas_alloc { size = Size<iommu_ioas_alloc>() };
        uint ioas = AllocIoas(engine, fd);
        var map = (iommu_ioas_map*)(mem.Address + 64);
        *map = new iommu_ioas_map
        {
            size = Size<iommu_ioas_map>(),
            flags = (uint)(Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA),
            ioas_id = ioas,
            user_va = 0x1000,
            length = 0x1000,
            iova = 0x5000,
        };
        Guard.ReadOnly(mem.Address);

        Assert.That(engine.Ioctl(fd, Iommufd.IOMMU_IOAS_ALLOC, alloc), Is.EqualTo(-EFAULT));
        Assert.That(AllocIoas(engine, fd), Is.EqualTo(2u), "the aborted ID 2 is free again");
        Assert.That(engine.Ioctl(fd, Iommufd.IOMMU_IOAS_MAP, map), Is.EqualTo(-EFAULT));
        ulong iova = 0x5000;
        Assert.That(Map(engine, fd, ioas, 0x1000, 0x1000, ref iova, true), Is.EqualTo(-EEXIST), "the mapping stayed");
    }

    [Test]
    public void IovaRangesFaultOnTheArrayIsEfaultWithoutWriteBack()
    {
        using var engine = new EngineBackend();
        int fd = engine.Open("/dev/iommu");
        uint ioas = AllocIoas(engine, fd);
        var cmd = new iommu_ioas_iova_ranges { size = Size<iommu_ioas_iova_ranges>(), ioas_id = ioas, num_iovas = 1, allowed_iovas = 8 };
        Assert.That(Call(engine, fd, Iommufd.IOMMU_IOAS_IOVA_RANGES, ref cmd), Is.EqualTo(-EFAULT));
        Assert.That(cmd.num_iovas, Is.EqualTo(1u));
        Assert.That(cmd.out_iova_alignment, Is.EqualTo(0ul));
    }

    [Test]
    public void VfioGetInfoWritesTheNextPointerBeforeTheCapExists()
    {
        using var engine = new EngineBackend();
        int fd = engine.Open("/dev/iommu");
        uint ioas = AllocIoas(engine, fd);
        var vi = new iommu_vfio_ioas { size = Size<iommu_vfio_ioas>(), op = (ushort)Iommufd.IOMMU_VFIO_IOAS_SET, ioas_id = ioas };
        Assert.That(Call(engine, fd, Iommufd.IOMMU_VFIO_IOAS, ref vi), Is.EqualTo(0));
        byte* buf = stackalloc byte[80];
        new Span<byte>(buf, 80).Fill(0xAA);
        *(uint*)buf = 48;
        Assert.That(engine.Ioctl(fd, Vfio.VFIO_IOMMU_GET_INFO, buf), Is.EqualTo(0));
        Assert.That(*(uint*)(buf + 28), Is.EqualTo(40u), "dma cap next points at the unwritten iova cap");
        Assert.That(*(uint*)(buf + 16), Is.EqualTo(0u), "cap_offset stays 0 below the total");
        Assert.That(buf[40], Is.EqualTo((byte)0xAA));
        *(uint*)buf = 15;
        Assert.That(engine.Ioctl(fd, Vfio.VFIO_IOMMU_GET_INFO, buf), Is.EqualTo(-EINVAL));
    }
}
