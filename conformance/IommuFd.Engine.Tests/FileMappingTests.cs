using System.Runtime.InteropServices;
using IommuFd.Bindings.Backends;
using IommuFd.Engine.Diagnostics;
using IommuFd.Interop;
using IommuFd.Interop.Native;
using static IommuFd.Engine.Tests.Calls;
using MapFileCmd = IommuFd.Interop.Stable.iommu_ioas_map_file;
using ChangeProcessCmd = IommuFd.Interop.Stable.iommu_ioas_change_process;

namespace IommuFd.Engine.Tests;

/// <summary>7.3's IOMMU_IOAS_MAP_FILE and IOMMU_IOAS_CHANGE_PROCESS over real memfds of this process:
/// the checks in the kernel's order, pinning through the file (EINVAL where memfd_pin_folios refuses),
/// the file's bytes through an access, and moving the accounting.</summary>
public sealed unsafe class FileMappingTests
{
    private const ulong Page = 4096;
    private const uint ReadWrite = (uint)(Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE);
    private const uint Fixed = (uint)Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA;
    private const uint MapFileRequest = 0x3B8F, ChangeProcessRequest = 0x3B92;
    private const ulong Aperture = 1UL << 24; // MOCK_APERTURE_START: an area below it keeps a mock domain out (EADDRINUSE)
    private EngineBackend _engine = null!;
    private int _fd, _memfd;
    private uint _ioas;

    [SetUp]
    public void SetUp()
    {
        _engine = new EngineBackend(EngineOptions.Default with { IommufdTest = true, Release = KernelRelease.Stable });
        _fd = _engine.Open("/dev/iommu");
        _ioas = AllocIoas(_engine, _fd);
        _memfd = NewMemfd(4 * Page);
    }

    [TearDown]
    public void TearDown()
    {
        _engine.Dispose();
        _ = LibC.close(_memfd);
    }

    private static int NewMemfd(ulong length)
    {
        int fd = LibC.memfd_create("engine-map-file", LibC.MFD_CLOEXEC);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0));
        Assert.That(LibC.ftruncate(fd, (long)length), Is.EqualTo(0));
        return fd;
    }

    private int MapFile(int file, ulong start, ulong length, ref ulong iova, uint flags = ReadWrite, uint? ioas = null)
    {
        var cmd = new MapFileCmd { size = 40, flags = flags, ioas_id = ioas ?? _ioas, fd = file, start = start, length = length, iova = iova };
        int rc = Call(_engine, _fd, MapFileRequest, ref cmd);
        iova = cmd.iova;
        return rc;
    }

    private int ChangeProcess(uint reserved = 0)
    {
        var cmd = new ChangeProcessCmd { size = 8, __reserved = reserved };
        return Call(_engine, _fd, ChangeProcessRequest, ref cmd);
    }

    private int Test(ref iommu_test_cmd cmd)
    {
        cmd.size = Size<iommu_test_cmd>();
        return Call(_engine, _fd, IommufdTest.IOMMU_TEST_CMD, ref cmd);
    }

    private int MockDomain()
    {
        var cmd = new iommu_test_cmd { op = IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN, id = _ioas };
        return Test(ref cmd);
    }

    [Test]
    public void ChecksInTheKernelsOrder()
    {
        ulong iova = 0;
        Assert.Multiple(() =>
        {
            Assert.That(MapFile(_memfd, 0, Page, ref iova, flags: 1 << 3), Is.EqualTo(-EOPNOTSUPP));
            Assert.That(MapFile(-1, 0, ulong.MaxValue, ref iova), Is.EqualTo(-EOVERFLOW));
            Assert.That(MapFile(-1, 0, Page, ref iova, flags: 0), Is.EqualTo(-EINVAL));
            Assert.That(MapFile(-1, 0, Page, ref iova, ioas: 99), Is.EqualTo(-ENOENT));
            Assert.That(MapFile(-1, 0, 0, ref iova), Is.EqualTo(-EINVAL));               // length 0 before fget
            Assert.That(MapFile(-1, ulong.MaxValue, 2, ref iova), Is.EqualTo(-EOVERFLOW)); // the file range wraps, before fget
            Assert.That(MapFile(-1, 0, Page, ref iova), Is.EqualTo(-EBADF));
            Assert.That(MapFile(_memfd, 0, ulong.MaxValue - 1, ref iova), Is.EqualTo(-EINVAL)); // iopt_alloc_pages, after fget
            Assert.That(MapFile(_memfd, 1, Page, ref iova), Is.EqualTo(0), "no alignment needed without a domain");
        });
        Assert.That(Invariants.Check(_engine.ContextOf(_fd)!), Is.Empty);
    }

    [Test]
    public void AutomaticIovaFollowsTheFileOffsetAndFixedIovaMustBeFree()
    {
        ulong iova = 0;
        Assert.That(MapFile(_memfd, 2 * Page, 2 * Page, ref iova), Is.EqualTo(0));
        Assert.That(iova % (2 * Page), Is.EqualTo(0), "aligned as the offset 8 KiB is");
        ulong taken = iova;
        Assert.That(MapFile(_memfd, 0, Page, ref taken, ReadWrite | Fixed), Is.EqualTo(-EEXIST));
        ulong length = 2 * Page;
        Assert.That(Unmap(_engine, _fd, _ioas, iova, ref length), Is.EqualTo(0));
        Assert.That(length, Is.EqualTo(2 * Page));
        Assert.That(MapFile(_memfd, Page, Page, ref taken, ReadWrite | Fixed), Is.EqualTo(0));
        Assert.That(taken, Is.EqualTo(iova));
    }

    [Test]
    public void PinningIsWhereAFileIsRefused()
    {
        // Mapped lazily: a file that is not memory, or a range past the memfd's end, maps without a domain...
        using var regular = File.OpenHandle("/proc/self/exe");
        ulong iova = Aperture, beyond = Aperture + 0x100000;
        Assert.That(MapFile((int)regular.DangerousGetHandle(), 0, Page, ref iova, ReadWrite | Fixed), Is.EqualTo(0));
        Assert.That(MapFile(_memfd, 0, 5 * Page, ref beyond, ReadWrite | Fixed), Is.EqualTo(0));
        // ...and a domain cannot be filled with it: memfd_pin_folios says EINVAL.
        Assert.That(MockDomain(), Is.EqualTo(-EINVAL));
        ulong length = ulong.MaxValue;
        Assert.That(Unmap(_engine, _fd, _ioas, 0, ref length), Is.EqualTo(0));
        Assert.That(MockDomain(), Is.EqualTo(0));
        // With a domain the pin is at map time.
        Assert.That(MapFile((int)regular.DangerousGetHandle(), 0, Page, ref iova), Is.EqualTo(-EINVAL));
        Assert.That(MapFile(_memfd, 0, 5 * Page, ref iova), Is.EqualTo(-EINVAL));
        Assert.That(MapFile(_fd, 0, Page, ref iova), Is.EqualTo(-EINVAL), "the iommufd itself is a file, not memory");
        Assert.That(MapFile(_memfd, Page, 3 * Page, ref iova), Is.EqualTo(0));
        // Shrinking the file does not unpin what is pinned, but nothing past the end pins any more.
        Assert.That(LibC.ftruncate(_memfd, 0), Is.EqualTo(0));
        ulong again = 0;
        Assert.That(MapFile(_memfd, Page, Page, ref again), Is.EqualTo(-EINVAL));
        Assert.That(Invariants.Check(_engine.ContextOf(_fd)!), Is.Empty);
    }

    [Test]
    public void TheFilesPagesAreWhatAnAccessReadsAndWrites()
    {
        ulong iova = 0;
        Assert.That(MapFile(_memfd, Page, 2 * Page, ref iova), Is.EqualTo(0));
        _ = LibC.close(_memfd);   // the mapping holds the file
        _memfd = -1;
        var create = new iommu_test_cmd { op = IommufdTest.IOMMU_TEST_OP_CREATE_ACCESS, id = _ioas };
        Assert.That(Test(ref create), Is.EqualTo(0));
        uint access = create.create_access.out_access_fd;

        using UserMemory data = UserMemory.Map(8192);
        "written through the access"u8.CopyTo(data.Span);
        var rw = new iommu_test_cmd { op = IommufdTest.IOMMU_TEST_OP_ACCESS_RW, id = access };
        rw.access_rw = new() { iova = iova + Page - 4, length = 26, uptr = data.Address, flags = IommufdTest.MOCK_ACCESS_RW_WRITE };
        Assert.That(Test(ref rw), Is.EqualTo(0), "across the pages' join");
        data.Span.Clear();
        rw.access_rw.flags = 0;
        Assert.That(Test(ref rw), Is.EqualTo(0));
        Assert.That(data.Span[..26].ToArray(), Is.EqualTo("written through the access"u8.ToArray()));
    }

    [Test]
    public void AnAccessReadSeesWhatWasWrittenThroughTheMemfd()
    {
        byte[] pattern = "memfd bytes"u8.ToArray();
        fixed (byte* p = pattern)
            Assert.That(LibC.pwrite(_memfd, p, (nuint)pattern.Length, (long)Page + 100), Is.EqualTo((nint)pattern.Length));
        ulong iova = 0;
        Assert.That(MapFile(_memfd, Page, Page, ref iova), Is.EqualTo(0));
        var create = new iommu_test_cmd { op = IommufdTest.IOMMU_TEST_OP_CREATE_ACCESS, id = _ioas };
        Assert.That(Test(ref create), Is.EqualTo(0));
        using UserMemory data = UserMemory.Map(4096);
        var rw = new iommu_test_cmd { op = IommufdTest.IOMMU_TEST_OP_ACCESS_RW, id = create.create_access.out_access_fd };
        rw.access_rw = new() { iova = iova + 100, length = (ulong)pattern.Length, uptr = data.Address };
        Assert.That(Test(ref rw), Is.EqualTo(0));
        Assert.That(data.Span[..pattern.Length].ToArray(), Is.EqualTo(pattern));
    }

    [Test]
    public void AMockDomainPinsTheFilesPagesAsTheSharedMappingShowsThem()
    {
        nint shown = LibC.mmap(0, (nuint)(4 * Page), 3, 1 /* MAP_SHARED */, _memfd, 0);
        Assert.That(shown, Is.Not.EqualTo((nint)(-1)));
        try
        {
            var md = new iommu_test_cmd { op = IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN, id = _ioas };
            Assert.That(Test(ref md), Is.EqualTo(0));
            ulong iova = 0;
            Assert.That(MapFile(_memfd, Page, 2 * Page, ref iova), Is.EqualTo(0));
            var check = new iommu_test_cmd { op = IommufdTest.IOMMU_TEST_OP_MD_CHECK_MAP, id = md.mock_domain.out_hwpt_id };
            check.check_map = new() { iova = iova, length = 2 * Page, uptr = (ulong)shown + Page };
            Assert.That(Test(ref check), Is.EqualTo(0));
            check.check_map.uptr = (ulong)shown;
            Assert.That(Test(ref check), Is.EqualTo(-EINVAL), "another page of the file");
            var refs = new iommu_test_cmd { op = IommufdTest.IOMMU_TEST_OP_MD_CHECK_REFS };
            refs.check_refs = new() { uptr = (ulong)shown + Page, length = 2 * Page, refs = 1 };
            Assert.That(Test(ref refs), Is.EqualTo(0));
            refs.check_refs = new() { uptr = (ulong)shown, length = Page, refs = 0 };
            Assert.That(Test(ref refs), Is.EqualTo(0));
            ulong length = 2 * Page;
            Assert.That(Unmap(_engine, _fd, _ioas, iova, ref length), Is.EqualTo(0));
            refs.check_refs = new() { uptr = (ulong)shown, length = 4 * Page, refs = 0 };
            Assert.That(Test(ref refs), Is.EqualTo(0));
        }
        finally
        {
            _ = LibC.munmap(shown, (nuint)(4 * Page));
        }
    }

    [Test]
    public void CopyAndUnmapOverFileAreas()
    {
        using UserMemory user = UserMemory.Map(4 * 4096);
        ulong fileIova = Aperture, userIova = Aperture + 0x100000;
        Assert.That(MapFile(_memfd, 0, 2 * Page, ref fileIova, ReadWrite | Fixed), Is.EqualTo(0));
        Assert.That(Map(_engine, _fd, _ioas, user.Address, 2 * Page, ref userIova, fixedIova: true), Is.EqualTo(0));
        uint dst = AllocIoas(_engine, _fd);
        ulong dstIova = 0;
        Assert.That(Copy(_engine, _fd, dst, _ioas, fileIova, 2 * Page, ref dstIova, fixedIova: false), Is.EqualTo(0));
        Assert.That(MockDomain(), Is.EqualTo(0));
        ulong all = ulong.MaxValue;
        Assert.That(Unmap(_engine, _fd, _ioas, 0, ref all), Is.EqualTo(0));
        Assert.That(all, Is.EqualTo(4 * Page));
        Assert.That(Invariants.Check(_engine.ContextOf(_fd)!), Is.Empty);
    }

    [Test]
    public void ChangeProcessTakesOnlyFileAreas()
    {
        using UserMemory user = UserMemory.Map(4096);
        Assert.That(ChangeProcess(reserved: 1), Is.EqualTo(-EOPNOTSUPP));
        Assert.That(ChangeProcess(), Is.EqualTo(0), "nothing mapped");
        ulong iova = 0, userIova = 0;
        Assert.That(Map(_engine, _fd, _ioas, user.Address, Page, ref userIova, fixedIova: false), Is.EqualTo(0));
        Assert.That(ChangeProcess(), Is.EqualTo(-EINVAL));
        ulong length = Page;
        Assert.That(Unmap(_engine, _fd, _ioas, userIova, ref length), Is.EqualTo(0));
        Assert.That(MockDomain(), Is.EqualTo(0));
        Assert.That(MapFile(_memfd, 0, Page, ref iova), Is.EqualTo(0));
        Assert.That(ChangeProcess(), Is.EqualTo(0));
        // A user area in any IOAS refuses it.
        uint other = AllocIoas(_engine, _fd);
        Assert.That(Map(_engine, _fd, other, user.Address, Page, ref userIova, fixedIova: false), Is.EqualTo(0));
        Assert.That(ChangeProcess(), Is.EqualTo(-EINVAL));
    }

    [Test]
    public void On612TheyAreNotIoctls()
    {
        using var engine = new EngineBackend(EngineOptions.Default with { IommufdTest = true });
        int fd = engine.Open("/dev/iommu");
        var map = new MapFileCmd { size = 40, flags = ReadWrite, ioas_id = AllocIoas(engine, fd), fd = _memfd, length = Page };
        var change = new ChangeProcessCmd { size = 8 };
        Assert.That(Call(engine, fd, MapFileRequest, ref map), Is.EqualTo(-ENOTTY));
        Assert.That(Call(engine, fd, ChangeProcessRequest, ref change), Is.EqualTo(-ENOTTY));
    }
}
