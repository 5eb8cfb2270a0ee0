using IommuFd.Bindings.Backends;
using IommuFd.Engine.Diagnostics;
using IommuFd.Interop;
using static IommuFd.Engine.Tests.Calls;

namespace IommuFd.Engine.Tests;

/// <summary>The selftest's access objects: CREATE_ACCESS, ACCESS_PAGES, DESTROY_ACCESS_PAGES,
/// ACCESS_RW, ACCESS_REPLACE_IOAS and the unmap callback.</summary>
public class AccessTests
{
    private const int EBADFD = 77, EBADE = 52, ENOMEM = 12;
    private const ulong Page = 4096;

    private static EngineBackend NewEngine() => new(EngineOptions.Default with { IommufdTest = true });

    private static int Test(EngineBackend engine, int fd, ref iommu_test_cmd cmd)
    {
        cmd.size = Size<iommu_test_cmd>();
        return Call(engine, fd, IommufdTest.IOMMU_TEST_CMD, ref cmd);
    }

    private static int CreateAccess(EngineBackend engine, int fd, uint ioas, uint flags, out int accessFd)
    {
        var cmd = new iommu_test_cmd { op = IommufdTest.IOMMU_TEST_OP_CREATE_ACCESS, id = ioas };
        cmd.create_access.flags = flags;
        int rc = Test(engine, fd, ref cmd);
        accessFd = rc == 0 ? (int)cmd.create_access.out_access_fd : -1;
        return rc;
    }

    private static int Pin(EngineBackend engine, int fd, int accessFd, ulong iova, ulong length, ulong uptr, out uint id, uint flags = 0)
    {
        var cmd = new iommu_test_cmd { op = IommufdTest.IOMMU_TEST_OP_ACCESS_PAGES, id = (uint)accessFd };
        cmd.access_pages.iova = iova;
        cmd.access_pages.length = length;
        cmd.access_pages.uptr = uptr;
        cmd.access_pages.flags = flags;
        int rc = Test(engine, fd, ref cmd);
        id = cmd.access_pages.out_access_pages_id;
        return rc;
    }

    private static int Unpin(EngineBackend engine, int fd, int accessFd, uint id)
    {
        var cmd = new iommu_test_cmd { op = IommufdTest.IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, id = (uint)accessFd };
        cmd.destroy_access_pages.access_pages_id = id;
        return Test(engine, fd, ref cmd);
    }

    private static int Rw(EngineBackend engine, int fd, int accessFd, ulong iova, ulong length, ulong uptr, uint flags)
    {
        var cmd = new iommu_test_cmd { op = IommufdTest.IOMMU_TEST_OP_ACCESS_RW, id = (uint)accessFd };
        cmd.access_rw.iova = iova;
        cmd.access_rw.length = length;
        cmd.access_rw.uptr = uptr;
        cmd.access_rw.flags = flags;
        return Test(engine, fd, ref cmd);
    }

    [Test]
    public void TheAccessHasAnIdTheFdHoldsTheIoasAndTheContext()
    {
        using var engine = NewEngine();
        int fd = engine.Open("/dev/iommu");
        uint ioas = AllocIoas(engine, fd);
        Assert.That(CreateAccess(engine, fd, ioas, 2, out _), Is.EqualTo(-EOPNOTSUPP));
        Assert.That(CreateAccess(engine, fd, 99, 0, out _), Is.EqualTo(-ENOENT));
        Assert.That(CreateAccess(engine, fd, ioas, 0, out int accessFd), Is.EqualTo(0));
        Assert.That(accessFd, Is.EqualTo(fd + 1));
        // The access took ID 2 (the failed create freed it again); it and the IOAS are busy.
        Assert.That(AllocIoas(engine, fd), Is.EqualTo(3u));
        Assert.That(Destroy(engine, fd, 2), Is.EqualTo(-EBUSY));
        Assert.That(Destroy(engine, fd, ioas), Is.EqualTo(-EBUSY));
        Assert.That(Invariants.Check(engine.ContextOf(fd)!), Is.Empty);
        Assert.That(engine.Read(accessFd, new byte[8]), Is.EqualTo(-EINVAL));

        var ctx = engine.ContextOf(fd)!;
        Assert.That(engine.Close(fd), Is.EqualTo(0));
        Assert.That(ctx.Objects.IsEmpty, Is.False);
        Assert.That(engine.Close(accessFd), Is.EqualTo(0));
        Assert.That(ctx.Objects.IsEmpty, Is.True);
    }

    [Test]
    public void PinsCountOncePerPageAndUnmapAsksTheAccessToUnpin()
    {
        using var engine = NewEngine();
        int fd = engine.Open("/dev/iommu");
        var ctx = engine.ContextOf(fd)!;
        uint ioas = AllocIoas(engine, fd);
        using UserMemory buffer = engine.Allocate((nuint)(4 * Page));
        ulong iova = 0x100000;
        Assert.That(Map(engine, fd, ioas, buffer.Address, 4 * Page, ref iova, fixedIova: true), Is.EqualTo(0));
        Assert.That(CreateAccess(engine, fd, ioas, IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, out int accessFd), Is.EqualTo(0));

        Assert.That(Pin(engine, fd, accessFd, iova, 2 * Page, buffer.Address, out uint first), Is.EqualTo(0));
        Assert.That(Pin(engine, fd, accessFd, iova, 2 * Page, buffer.Address, out uint second), Is.EqualTo(0));
        Assert.That((first, second), Is.EqualTo((0u, 1u)));
        Assert.That(ctx.Pins.Pins(buffer.Address), Is.EqualTo(1));
        Assert.That(ctx.Pins.Pins(buffer.Address + 2 * Page), Is.EqualTo(0));
        // The pinned pages must be those of uptr.
        Assert.That(Pin(engine, fd, accessFd, iova, Page, buffer.Address + Page, out _), Is.EqualTo(-EBADE));
        Assert.That(Unpin(engine, fd, accessFd, first), Is.EqualTo(0));
        Assert.That(Unpin(engine, fd, accessFd, first), Is.EqualTo(-ENOENT));
        Assert.That(ctx.Pins.Pins(buffer.Address), Is.EqualTo(1));

        ulong length = 4 * Page;
        Assert.That(Unmap(engine, fd, ioas, iova, ref length), Is.EqualTo(0));
        Assert.That(length, Is.EqualTo(4 * Page));
        Assert.That(ctx.Pins.Pins(buffer.Address), Is.EqualTo(0));
        Assert.That(Unpin(engine, fd, accessFd, second), Is.EqualTo(-ENOENT));
        Assert.That(Invariants.Check(ctx), Is.Empty);
        Assert.That(engine.Close(accessFd), Is.EqualTo(0));
    }

    [Test]
    public void PinErrors()
    {
        using var engine = NewEngine();
        int fd = engine.Open("/dev/iommu");
        uint ioas = AllocIoas(engine, fd);
        using UserMemory buffer = engine.Allocate((nuint)(4 * Page));
        ulong iova = 0x100000;
        Assert.That(Map(engine, fd, ioas, buffer.Address, 2 * Page, ref iova, fixedIova: true, write: false), Is.EqualTo(0));
        Assert.That(CreateAccess(engine, fd, ioas, 0, out int rwOnly), Is.EqualTo(0));
        Assert.That(CreateAccess(engine, fd, ioas, IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, out int pinner), Is.EqualTo(0));

        Assert.That(Pin(engine, fd, rwOnly, iova, Page, 0, out _), Is.EqualTo(-EOPNOTSUPP));
        Assert.That(Pin(engine, fd, fd, iova, Page, 0, out _), Is.EqualTo(-EBADFD));
        Assert.That(Pin(engine, fd, pinner, iova, Page, 0, out _, flags: 2), Is.EqualTo(-EOPNOTSUPP));
        Assert.That(Pin(engine, fd, pinner, iova, (16 << 20) + 1, 0, out _), Is.EqualTo(-ENOMEM));
        Assert.That(Pin(engine, fd, pinner, iova, 0, 0, out _), Is.EqualTo(-EINVAL));
        Assert.That(Pin(engine, fd, pinner, ulong.MaxValue, 2, 0, out _), Is.EqualTo(-EOVERFLOW));
        Assert.That(Pin(engine, fd, pinner, iova + 1, Page, 0, out _), Is.EqualTo(-EINVAL));
        Assert.That(Pin(engine, fd, pinner, iova, 3 * Page, 0, out _), Is.EqualTo(-ENOENT));
        Assert.That(Pin(engine, fd, pinner, iova, Page, 0, out _, flags: IommufdTest.MOCK_FLAGS_ACCESS_WRITE), Is.EqualTo(-EPERM));
        Assert.That(engine.ContextOf(fd)!.Pins.Pins(buffer.Address), Is.EqualTo(0));

        // A pinning access needs PAGE_SIZE alignment of every area.
        ulong odd = 0x200000;
        Assert.That(Map(engine, fd, ioas, buffer.Address + 3 * Page + 8, 8, ref odd, fixedIova: true), Is.EqualTo(-EINVAL));
        uint ioas2 = AllocIoas(engine, fd);
        Assert.That(Map(engine, fd, ioas2, buffer.Address + 8, 8, ref odd, fixedIova: true), Is.EqualTo(0));
        Assert.That(CreateAccess(engine, fd, ioas2, IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, out _), Is.EqualTo(-EADDRINUSE));
        Assert.That(Invariants.Check(engine.ContextOf(fd)!), Is.Empty);
    }

    [Test]
    public void ReadWriteCrossesAreasAndPages()
    {
        using var engine = NewEngine();
        int fd = engine.Open("/dev/iommu");
        uint ioas = AllocIoas(engine, fd);
        using UserMemory buffer = engine.Allocate((nuint)(4 * Page));
        using UserMemory tmp = engine.Allocate((nuint)Page);
        ulong iova = 0x100000, iova2 = 0x100000 + 2 * Page;
        Assert.That(Map(engine, fd, ioas, buffer.Address, 2 * Page, ref iova, fixedIova: true), Is.EqualTo(0));
        Assert.That(Map(engine, fd, ioas, buffer.Address + 2 * Page, 2 * Page, ref iova2, fixedIova: true), Is.EqualTo(0));
        Assert.That(CreateAccess(engine, fd, ioas, 0, out int access), Is.EqualTo(0));
        Span<byte> user = buffer.Span;
        for (int i = 0; i < user.Length; i++)
            user[i] = (byte)(i * 7);

        foreach (uint slow in new[] { 0u, IommufdTest.MOCK_ACCESS_RW_SLOW_PATH })
        {
            ulong at = 2 * Page - 5;
            Assert.That(Rw(engine, fd, access, iova + at, 10, tmp.Address, slow), Is.EqualTo(0));
            Assert.That(tmp.Span[..10].ToArray(), Is.EqualTo(user.Slice((int)at, 10).ToArray()));
            tmp.Span[..10].Fill((byte)(0xA0 + slow));
            Assert.That(Rw(engine, fd, access, iova + at, 10, tmp.Address, slow | IommufdTest.MOCK_ACCESS_RW_WRITE), Is.EqualTo(0));
            Assert.That(user.Slice((int)at, 10).ToArray(), Is.All.EqualTo((byte)(0xA0 + slow)));
        }
        Assert.That(Rw(engine, fd, access, iova, 0, tmp.Address, 0), Is.EqualTo(-EINVAL));
        Assert.That(Rw(engine, fd, access, iova + 4 * Page - 1, 2, tmp.Address, 0), Is.EqualTo(-ENOENT));
        Assert.That(Rw(engine, fd, access, 0x900000, 2, tmp.Address, 0), Is.EqualTo(-ENOENT));
        Assert.That(Rw(engine, fd, access, iova, 2, tmp.Address, 8), Is.EqualTo(-EOPNOTSUPP));
        Assert.That(Rw(engine, fd, access, iova, 2, 0, 0), Is.EqualTo(-EFAULT));
        Assert.That(Rw(engine, fd, access, iova, 2, 0, IommufdTest.MOCK_ACCESS_RW_WRITE), Is.EqualTo(-EFAULT));
        Assert.That(Rw(engine, fd, 12345, iova, 2, tmp.Address, 0), Is.EqualTo(-EBADFD));
        Assert.That(engine.Close(access), Is.EqualTo(0));
    }

    [Test]
    public void ReplaceMovesTheAccessAndDropsItsPins()
    {
        using var engine = NewEngine();
        int fd = engine.Open("/dev/iommu");
        var ctx = engine.ContextOf(fd)!;
        uint ioas = AllocIoas(engine, fd), other = AllocIoas(engine, fd);
        using UserMemory buffer = engine.Allocate((nuint)(2 * Page));
        ulong iova = 0x100000;
        Assert.That(Map(engine, fd, ioas, buffer.Address, 2 * Page, ref iova, fixedIova: true), Is.EqualTo(0));
        Assert.That(CreateAccess(engine, fd, ioas, IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, out int access), Is.EqualTo(0));
        Assert.That(Pin(engine, fd, access, iova, Page, 0, out uint id), Is.EqualTo(0));

        var cmd = new iommu_test_cmd { op = IommufdTest.IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, id = (uint)access };
        cmd.access_replace_ioas.ioas_id = 77;
        Assert.That(Test(engine, fd, ref cmd), Is.EqualTo(-ENOENT));
        cmd.access_replace_ioas.ioas_id = other;
        Assert.That(Test(engine, fd, ref cmd), Is.EqualTo(0));
        Assert.That(ctx.Pins.Pins(buffer.Address), Is.EqualTo(0));
        Assert.That(Unpin(engine, fd, access, id), Is.EqualTo(-ENOENT));
        Assert.That(Destroy(engine, fd, ioas), Is.EqualTo(0));
        Assert.That(Destroy(engine, fd, other), Is.EqualTo(-EBUSY));
        Assert.That(Invariants.Check(ctx), Is.Empty);
        Assert.That(engine.Close(access), Is.EqualTo(0));
        Assert.That(Destroy(engine, fd, other), Is.EqualTo(0));
    }
}
