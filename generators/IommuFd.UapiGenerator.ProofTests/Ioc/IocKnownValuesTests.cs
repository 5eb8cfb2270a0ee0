using IommuFd.Uapi;

namespace IommuFd.UapiGenerator.ProofTests.Ioc;

/// <summary>Request numbers whose values are known from the kernel headers, computed with
/// <see cref="IommuFd.Uapi.Ioc"/> (iommufd and vfio ioctls are all <c>_IO(';', nr)</c>).</summary>
public sealed class IocKnownValuesTests
{
    private const uint IommufdType = ';'; // IOMMUFD_TYPE and VFIO_TYPE
    private const uint IommufdCmdBase = 0x80;

    [TestCase(0x80u, 0x3B80u, TestName = "IOMMU_DESTROY")]
    [TestCase(0x81u, 0x3B81u, TestName = "IOMMU_IOAS_ALLOC")]
    [TestCase(0x85u, 0x3B85u, TestName = "IOMMU_IOAS_MAP")]
    [TestCase(0x86u, 0x3B86u, TestName = "IOMMU_IOAS_UNMAP")]
    [TestCase(IommufdCmdBase + 32, 0x3BA0u, TestName = "IOMMU_TEST_CMD")]
    public void Iommufd_requests_are_IO_of_the_command_number(uint nr, uint expected)
    {
        Assert.That(IommuFd.Uapi.Ioc.IO(IocEncoding.Generic, IommufdType, nr), Is.EqualTo(expected));
    }

    [Test]
    public void Vfio_get_api_version_is_IO_of_vfio_base()
    {
        // VFIO_GET_API_VERSION = _IO(VFIO_TYPE, VFIO_BASE + 0), VFIO_BASE = 100.
        Assert.That(IommuFd.Uapi.Ioc.IO(IocEncoding.Generic, IommufdType, 100), Is.EqualTo(0x3B64u));
    }

    [Test]
    public void Uffdio_api_is_IOWR_of_a_24_byte_struct()
    {
        // UFFDIO_API = _IOWR(0xAA, 0x3F, struct uffdio_api), sizeof = 24.
        Assert.That(IommuFd.Uapi.Ioc.IOWR(IocEncoding.Generic, 0xAA, 0x3F, 24), Is.EqualTo(0xC018AA3Fu));
    }

    [Test]
    public void Powerpc_uses_its_own_direction_bits()
    {
        // Same UFFDIO_API on powerpc: READ|WRITE = 6 in the top 3 bits, 13 size bits.
        Assert.Multiple(() =>
        {
            Assert.That(IommuFd.Uapi.Ioc.IOWR(IocEncoding.PowerPc, 0xAA, 0x3F, 24), Is.EqualTo(0xC018AA3Fu));
            Assert.That(IommuFd.Uapi.Ioc.IO(IocEncoding.PowerPc, IommufdType, 0x80), Is.EqualTo(0x20003B80u));
            Assert.That(IommuFd.Uapi.Ioc.IOR(IocEncoding.PowerPc, 'T', 1, 4), Is.EqualTo(0x40045401u));
            Assert.That(IommuFd.Uapi.Ioc.IOW(IocEncoding.PowerPc, 'T', 1, 4), Is.EqualTo(0x80045401u));
        });
    }

    [Test]
    public void Generic_direction_bits()
    {
        Assert.Multiple(() =>
        {
            Assert.That(IommuFd.Uapi.Ioc.IOR(IocEncoding.Generic, 'T', 1, 4), Is.EqualTo(0x80045401u));
            Assert.That(IommuFd.Uapi.Ioc.IOW(IocEncoding.Generic, 'T', 1, 4), Is.EqualTo(0x40045401u));
        });
    }

    [TestCase(IocEncoding.Mips)]
    [TestCase(IocEncoding.Sparc)]
    public void Mips_and_sparc_pack_like_powerpc(IocEncoding encoding)
    {
        // arch/{mips,sparc}/include/uapi/asm/ioctl.h: 13 size bits, NONE=1, READ=2, WRITE=4.
        Assert.Multiple(() =>
        {
            Assert.That(IommuFd.Uapi.Ioc.IO(encoding, 1, 2), Is.EqualTo(0x20000102u));
            Assert.That(IommuFd.Uapi.Ioc.IOR(encoding, 1, 2, 0x1FFF), Is.EqualTo(0x5FFF0102u));
            Assert.That(IommuFd.Uapi.Ioc.IOW(encoding, 1, 2, 8), Is.EqualTo(0x80080102u));
        });
    }

    [Test]
    public void Nr_and_type_extract_their_fields()
    {
        Assert.Multiple(() =>
        {
            Assert.That(IommuFd.Uapi.Ioc.Nr(0xC018AA3Fu), Is.EqualTo(0x3Fu));
            Assert.That(IommuFd.Uapi.Ioc.Type(0xC018AA3Fu), Is.EqualTo(0xAAu));
        });
    }
}
