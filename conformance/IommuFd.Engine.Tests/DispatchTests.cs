using IommuFd.Bindings.Backends;
using IommuFd.Interop;
using static IommuFd.Engine.Tests.Calls;

namespace IommuFd.Engine.Tests;

public unsafe class DispatchTests
{
    private EngineBackend _engine = null!;
    private int _fd;

    [SetUp]
    public void SetUp()
    {
        _engine = new EngineBackend();
        _fd = _engine.Open("/dev/iommu");
    }

    [TearDown]
    public void TearDown() => _engine.Dispose();

    [Test]
    public void FdsStartAtTheConfiguredBaseAndUnknownFdsAreEbadf()
    {
        Assert.That(_fd, Is.EqualTo(1000));
        Assert.That(_engine.Ioctl(4242, Iommufd.IOMMU_DESTROY, null), Is.EqualTo(-EBADF));
        Assert.That(_engine.Close(4242), Is.EqualTo(-EBADF));
        Assert.That(_engine.Read(_fd, new byte[8]), Is.EqualTo(-EINVAL));
        Assert.That(_engine.Write(_fd, new byte[8]), Is.EqualTo(-EINVAL));
        Assert.That(_engine.Open("/dev/nonexistent"), Is.EqualTo(-ENOENT));
    }

    [Test]
    public void NullArgumentIsEfaultForTableCommandsAndEnottyOutsideTheTable()
    {
        Assert.That(_engine.Ioctl(_fd, Iommufd.IOMMU_DESTROY, null), Is.EqualTo(-EFAULT));
        Assert.That(_engine.Ioctl(_fd, 0x3B7F, null), Is.EqualTo(-ENOTTY));
        Assert.That(_engine.Ioctl(_fd, 0x587F, null), Is.EqualTo(-ENOTTY));
        Assert.That(_engine.Ioctl(_fd, 0x3B8F, null), Is.EqualTo(-ENOTTY)); // past the table (no TEST config)
        Assert.That(_engine.Ioctl(_fd, 0x3BA0, null), Is.EqualTo(-ENOTTY)); // IOMMU_TEST_CMD without CONFIG_IOMMUFD_TEST
    }

    [Test]
    public void WrongEncodingOfATableNrIsEnottyAfterReadingTheSize()
    {
        var cmd = new iommu_destroy { size = 8, id = 1 };
        Assert.That(Call(_engine, _fd, 0xC0083B80, ref cmd), Is.EqualTo(-ENOTTY));
    }

    [Test]
    public void SizeRulesFollowCopyStructFromUser()
    {
        // Short: EINVAL. Long with zero tail: as if exact. Long with a non-zero tail: E2BIG.
        byte* buf = stackalloc byte[64];
        new Span<byte>(buf, 64).Clear();
        *(uint*)buf = Size<iommu_ioas_alloc>() - 1;
        Assert.That(_engine.Ioctl(_fd, Iommufd.IOMMU_IOAS_ALLOC, buf), Is.EqualTo(-EINVAL));
        *(uint*)buf = Size<iommu_ioas_alloc>() + 1;
        Assert.That(_engine.Ioctl(_fd, Iommufd.IOMMU_IOAS_ALLOC, buf), Is.EqualTo(0));
        Assert.That(((uint*)buf)[2], Is.EqualTo(1u));
        buf[12] = 0xFF;
        Assert.That(_engine.Ioctl(_fd, Iommufd.IOMMU_IOAS_ALLOC, buf), Is.EqualTo(-E2BIG));
    }

    [Test]
    public void TailCheckThatFaultsIsEfault()
    {
        using UserMemory mem = _engine.Allocate(8192);
        Guard.NoAccess(mem.Address + 4096);
        byte* p = (byte*)mem.Address + 4096 - 12;
        *(uint*)p = 64; // claims 64 bytes, only 12 are mapped
        Assert.That(_engine.Ioctl(_fd, Iommufd.IOMMU_IOAS_ALLOC, p), Is.EqualTo(-EFAULT));
    }

    [Test]
    public void ShortStructGetsTruncatedWriteBack()
    {
        // IOAS_MAP min size is the full struct; IOAS_ALLOC too. Use IOVA_RANGES at its min size
        // with a zero tail beyond: nothing past min(user size, sizeof) is written.
        byte* buf = stackalloc byte[48];
        new Span<byte>(buf, 48).Fill(0);
        uint ioas = AllocIoas(_engine, _fd);
        *(uint*)buf = 40; // 8 bytes more than sizeof, zero
        ((uint*)buf)[1] = ioas;
        Assert.That(_engine.Ioctl(_fd, Iommufd.IOMMU_IOAS_IOVA_RANGES, buf), Is.EqualTo(-EMSGSIZE));
        Assert.That(((uint*)buf)[2], Is.EqualTo(1u));         // num_iovas
        Assert.That(*(ulong*)(buf + 24), Is.EqualTo(1ul));    // out_iova_alignment
        Assert.That(*(ulong*)(buf + 32), Is.EqualTo(0ul));    // untouched tail
    }

    [Test]
    public void VfioCompatBasics()
    {
        Assert.That(_engine.Ioctl(_fd, Vfio.VFIO_GET_API_VERSION, null), Is.EqualTo(0));
        Assert.That(_engine.Ioctl(_fd, Vfio.VFIO_CHECK_EXTENSION, (void*)Vfio.VFIO_TYPE1v2_IOMMU), Is.EqualTo(1));
        Assert.That(_engine.Ioctl(_fd, Vfio.VFIO_CHECK_EXTENSION, (void*)Vfio.VFIO_UPDATE_VADDR), Is.EqualTo(0));
        Assert.That(_engine.Ioctl(_fd, Vfio.VFIO_CHECK_EXTENSION, (void*)Vfio.VFIO_DMA_CC_IOMMU), Is.EqualTo(-ENODEV));
        Assert.That(_engine.Ioctl(_fd, Vfio.VFIO_SET_IOMMU, (void*)Vfio.VFIO_TYPE1v2_IOMMU), Is.EqualTo(-ENODEV));
        Assert.That(_engine.Ioctl(_fd, Vfio.VFIO_SET_IOMMU, (void*)2), Is.EqualTo(-EINVAL));
    }
}
