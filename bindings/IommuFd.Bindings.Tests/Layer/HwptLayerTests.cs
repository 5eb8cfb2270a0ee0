using IommuFd.Bindings.Tests.Fakes;
using IommuFd.Interop;

namespace IommuFd.Bindings.Tests.Layer;

/// <summary>Dirty tracking and fault queues against a scripted backend.</summary>
[TestFixture]
public unsafe class HwptLayerTests
{
    private ScriptedBackend _backend = null!;
    private IommufdContext _context = null!;

    [SetUp]
    public void SetUp()
    {
        _backend = new ScriptedBackend();
        _context = IommufdContext.Open(_backend);
    }

    [TearDown]
    public void TearDown()
    {
        _context.Dispose();
        _backend.Dispose();
    }

    [Test]
    public void SetDirtyTracking_sends_the_enable_flag_only_when_enabling()
    {
        var flags = new List<(uint, uint)>();
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Iommufd.IOMMU_HWPT_SET_DIRTY_TRACKING));
            flags.Add((Arg.As<iommu_hwpt_set_dirty_tracking>(p).hwpt_id, Arg.As<iommu_hwpt_set_dirty_tracking>(p).flags));
            return 0;
        };
        _context.SetDirtyTracking(new HwptId(3), true);
        _context.SetDirtyTracking(new HwptId(3), false);
        Assert.That(flags, Is.EqualTo(new[] { (3u, (uint)Iommufd.IOMMU_HWPT_DIRTY_TRACKING_ENABLE), (3u, 0u) }));
    }

    [Test]
    public void GetDirtyBitmap_points_the_kernel_at_the_callers_words()
    {
        iommu_hwpt_get_dirty_bitmap seen = default;
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Iommufd.IOMMU_HWPT_GET_DIRTY_BITMAP));
            seen = Arg.As<iommu_hwpt_get_dirty_bitmap>(p);
            *(ulong*)seen.data = 0b1010;
            return 0;
        };
        Span<ulong> bitmap = stackalloc ulong[2];

        _context.GetDirtyBitmap(new HwptId(4), 0x100000, 0x80000, 0x1000, bitmap, noClear: true);

        Assert.That(bitmap[0], Is.EqualTo(0b1010UL));
        Assert.That((seen.hwpt_id, seen.iova, seen.length, seen.page_size, seen.flags),
                    Is.EqualTo((4u, 0x100000UL, 0x80000UL, 0x1000UL, (uint)Iommufd.IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)));
    }

    [Test]
    public void A_fault_queue_reads_and_writes_its_own_fd()
    {
        _backend.OnIoctl = (_, _, p) =>
        {
            Arg.As<iommu_fault_alloc>(p).out_fault_id = 2;
            Arg.As<iommu_fault_alloc>(p).out_fault_fd = 40;
            return 0;
        };
        var fds = new List<int>();
        _backend.OnRead = (fd, offset, buffer) => { fds.Add(fd); Assert.That(offset, Is.EqualTo(-1)); return 0; };
        _backend.OnWrite = (fd, offset, data) => { fds.Add(fd); return -(int)Errno.ESPIPE; };

        using FaultQueue queue = _context.AllocFaultQueue();
        Assert.That(queue.TryRead(new byte[40]), Is.Zero);
        Assert.That(queue.TryWrite(new byte[3]), Is.EqualTo(-(int)Errno.ESPIPE));
        Assert.That(fds, Is.EqualTo(new[] { 40, 40 }));
    }

    [Test]
    public void A_failed_fault_queue_alloc_opens_no_handle()
    {
        _backend.OnIoctl = (_, _, _) => -(int)Errno.EOPNOTSUPP;
        Assert.That(_context.TryAllocFaultQueue(out FaultQueue? queue), Is.EqualTo(Errno.EOPNOTSUPP));
        Assert.That(queue, Is.Null);
    }
}
