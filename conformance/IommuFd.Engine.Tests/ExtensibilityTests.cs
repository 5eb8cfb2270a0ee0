using System.Runtime.CompilerServices;
using IommuFd.Interop;
using static IommuFd.Engine.Tests.Calls;

namespace IommuFd.Engine.Tests;

/// <summary>The 6.12 selftest cmd_length recipe (§1.4): one byte short of the minimum is EINVAL,
/// a non-zero byte past sizeof is E2BIG, a zero byte past sizeof answers like sizeof.</summary>
public unsafe class ExtensibilityTests
{
    private static IEnumerable<TestCaseData> Commands()
    {
        yield return Case<iommu_destroy>(Iommufd.IOMMU_DESTROY, 8);
        yield return Case<iommu_hw_info>(Iommufd.IOMMU_GET_HW_INFO, 32);
        yield return Case<iommu_hwpt_alloc>(Iommufd.IOMMU_HWPT_ALLOC, 24);
        yield return Case<iommu_hwpt_invalidate>(Iommufd.IOMMU_HWPT_INVALIDATE, 32);
        yield return Case<iommu_ioas_alloc>(Iommufd.IOMMU_IOAS_ALLOC, 12);
        yield return Case<iommu_ioas_iova_ranges>(Iommufd.IOMMU_IOAS_IOVA_RANGES, 32);
        yield return Case<iommu_ioas_allow_iovas>(Iommufd.IOMMU_IOAS_ALLOW_IOVAS, 24);
        yield return Case<iommu_ioas_map>(Iommufd.IOMMU_IOAS_MAP, 40);
        yield return Case<iommu_ioas_copy>(Iommufd.IOMMU_IOAS_COPY, 40);
        yield return Case<iommu_ioas_unmap>(Iommufd.IOMMU_IOAS_UNMAP, 24);
        yield return Case<iommu_option>(Iommufd.IOMMU_OPTION, 24);
        yield return Case<iommu_vfio_ioas>(Iommufd.IOMMU_VFIO_IOAS, 12);
    }

    private static TestCaseData Case<T>(uint request, int minSize) where T : unmanaged =>
        new TestCaseData(request, minSize, Unsafe.SizeOf<T>()).SetArgDisplayNames(typeof(T).Name);

    [TestCaseSource(nameof(Commands))]
    public void CmdLength(uint request, int minSize, int size)
    {
        using var engine = new EngineBackend();
        int fd = engine.Open("/dev/iommu");
        byte* buf = stackalloc byte[128];

        new Span<byte>(buf, 128).Clear();
        *(uint*)buf = (uint)minSize - 1;
        Assert.That(engine.Ioctl(fd, request, buf), Is.EqualTo(-EINVAL));

        new Span<byte>(buf, 128).Clear();
        *(uint*)buf = (uint)size + 1;
        buf[size] = 0xFF;
        Assert.That(engine.Ioctl(fd, request, buf), Is.EqualTo(-E2BIG));

        // Zero tail: same answer as the exact size, on two fresh contexts.
        new Span<byte>(buf, 128).Clear();
        *(uint*)buf = (uint)size;
        int exact = engine.Ioctl(fd, request, buf);
        int fd2 = engine.Open("/dev/iommu");
        new Span<byte>(buf, 128).Clear();
        *(uint*)buf = (uint)size + 1;
        Assert.That(engine.Ioctl(fd2, request, buf), Is.EqualTo(exact));
    }

    [Test]
    public void HwInfoReservedBytesAreChecked()
    {
        using var engine = new EngineBackend();
        int fd = engine.Open("/dev/iommu");
        var info = new iommu_hw_info { size = Size<iommu_hw_info>(), dev_id = 1 };
        Assert.That(Call(engine, fd, Iommufd.IOMMU_GET_HW_INFO, ref info), Is.EqualTo(-ENOENT));
        info.__reserved[2] = 1;
        Assert.That(Call(engine, fd, Iommufd.IOMMU_GET_HW_INFO, ref info), Is.EqualTo(-EOPNOTSUPP));
    }

    [Test]
    public void TestConfigAddsTheSelftestCommandAndTableHoles()
    {
        using var engine = new EngineBackend(EngineOptions.Default with { IommufdTest = true });
        int fd = engine.Open("/dev/iommu");
        Assert.That(engine.Ioctl(fd, 0x3B90, null), Is.EqualTo(-EFAULT)); // inside the table: get_user first
        uint size = 8;
        Assert.That(engine.Ioctl(fd, 0x3B90, &size), Is.EqualTo(-ENOTTY));
        uint ioas = AllocIoas(engine, fd);

        var cmd = new iommu_test_cmd { size = Size<iommu_test_cmd>(), op = IommufdTest.IOMMU_TEST_OP_ADD_RESERVED, id = ioas };
        cmd.add_reserved.start = 0;
        cmd.add_reserved.length = 0x1000000;
        Assert.That(Call(engine, fd, IommufdTest.IOMMU_TEST_CMD, ref cmd), Is.EqualTo(0));
        ulong iova = 0x800000;
        Assert.That(Map(engine, fd, ioas, 0, 0x1000, ref iova, true), Is.EqualTo(-EINVAL)); // reserved
        Assert.That(Map(engine, fd, ioas, 0x200000, 0x1000, ref iova, false), Is.EqualTo(0));
        Assert.That(iova, Is.EqualTo(0x1000000ul));
        cmd.add_reserved.start = 0x1000000;
        cmd.add_reserved.length = 0x1000;
        Assert.That(Call(engine, fd, IommufdTest.IOMMU_TEST_CMD, ref cmd), Is.EqualTo(-EADDRINUSE));
        cmd.op = 99;
        Assert.That(Call(engine, fd, IommufdTest.IOMMU_TEST_CMD, ref cmd), Is.EqualTo(-EOPNOTSUPP));

        var ranges = stackalloc iommu_iova_range[2];
        var r = new iommu_ioas_iova_ranges { size = Size<iommu_ioas_iova_ranges>(), ioas_id = ioas, num_iovas = 2, allowed_iovas = (ulong)ranges };
        Assert.That(Call(engine, fd, Iommufd.IOMMU_IOAS_IOVA_RANGES, ref r), Is.EqualTo(0));
        Assert.That(r.num_iovas, Is.EqualTo(1u));
        Assert.That(ranges[0].start, Is.EqualTo(0x1000000ul));

        // Syzkaller addressing in COPY: {nth area, offset}.
        var copy = new iommu_ioas_copy
        {
            size = Size<iommu_ioas_copy>(),
            flags = (uint)Iommufd.IOMMU_IOAS_MAP_READABLE | IommufdTest.MOCK_FLAGS_ACCESS_SYZ,
            dst_ioas_id = ioas,
            src_ioas_id = ioas,
            length = 0x800,
            src_iova = 0x800UL << 32 | 0, // area 0, offset 0x800
        };
        Assert.That(Call(engine, fd, Iommufd.IOMMU_IOAS_COPY, ref copy), Is.EqualTo(0));
        Assert.That(copy.src_iova, Is.EqualTo(0x1000800ul)); // converted in the kernel copy and echoed back
        Assert.That(copy.flags & IommufdTest.MOCK_FLAGS_ACCESS_SYZ, Is.EqualTo(0u));

        using var plain = new EngineBackend();
        int pfd = plain.Open("/dev/iommu");
        copy.flags |= IommufdTest.MOCK_FLAGS_ACCESS_SYZ;
        Assert.That(Call(plain, pfd, Iommufd.IOMMU_IOAS_COPY, ref copy), Is.EqualTo(-EOPNOTSUPP));
    }
}
