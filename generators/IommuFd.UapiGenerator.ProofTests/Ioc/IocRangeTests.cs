using IommuFd.Uapi;

namespace IommuFd.UapiGenerator.ProofTests.Ioc;

/// <summary>Fields that do not fit their bits throw instead of silently corrupting the request
/// number as the C macro would.</summary>
public sealed class IocRangeTests
{
    [Test]
    public void Type_above_8_bits_throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => IommuFd.Uapi.Ioc.IO(IocEncoding.Generic, 0x100, 0));

    [Test]
    public void Nr_above_8_bits_throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => IommuFd.Uapi.Ioc.IO(IocEncoding.Generic, 0, 0x100));

    [TestCase(IocEncoding.Generic, 1u << 14)]
    [TestCase(IocEncoding.PowerPc, 1u << 13)]
    [TestCase(IocEncoding.Mips, 1u << 13)]
    [TestCase(IocEncoding.Sparc, 1u << 13)]
    public void Size_beyond_the_size_bits_throws(IocEncoding encoding, uint size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => IommuFd.Uapi.Ioc.IOR(encoding, 1, 1, size));

    [TestCase(IocEncoding.Generic, (1u << 14) - 1, 0x3FFF)]
    [TestCase(IocEncoding.PowerPc, (1u << 13) - 1, 0x1FFF)]
    public void Largest_size_fits(IocEncoding encoding, uint size, int expectedSizeField)
    {
        uint request = IommuFd.Uapi.Ioc.IOW(encoding, 1, 1, size);
        int sizeBits = IommuFd.Uapi.Ioc.SizeBits(encoding);
        Assert.That((request >> 16) & ((1u << sizeBits) - 1), Is.EqualTo((uint)expectedSizeField));
    }
}
