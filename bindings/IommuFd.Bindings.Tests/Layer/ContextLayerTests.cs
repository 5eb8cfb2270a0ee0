using IommuFd.Bindings.Tests.Fakes;
using IommuFd.Interop;

namespace IommuFd.Bindings.Tests.Layer;

/// <summary>The context's calls against a scripted backend: fields in, results out, fd ownership.</summary>
[TestFixture]
public unsafe class ContextLayerTests
{
    private ScriptedBackend _backend = null!;

    [SetUp]
    public void SetUp() => _backend = new ScriptedBackend();

    [TearDown]
    public void TearDown() => _backend.Dispose();

    [Test]
    public void Open_opens_dev_iommu_by_default_and_Dispose_closes_that_fd()
    {
        var context = IommufdContext.Open(_backend);
        int fd = context.Handle.Fd;
        Assert.That(_backend.Opened, Is.EqualTo(new[] { "/dev/iommu" }));
        context.Dispose();
        Assert.That(_backend.Closed, Is.EqualTo(new[] { fd }));
    }

    [Test]
    public void A_failed_open_throws_with_the_path_and_TryOpen_returns_the_errno()
    {
        var failing = new FailingOpenBackend();
        var e = Assert.Throws<IommuFdException>(() => IommufdContext.Open(failing, "/dev/nothing"));
        Assert.That(e!.Message, Is.EqualTo("open /dev/nothing failed: ENOENT (2)"));
        Assert.That(IommufdContext.TryOpen(failing, "/dev/nothing", out IommufdContext? context), Is.EqualTo(Errno.ENOENT));
        Assert.That(context, Is.Null);
    }

    [Test]
    public void CreateIoas_returns_the_id_the_kernel_wrote_and_Destroy_sends_it_back()
    {
        var requests = new List<uint>();
        uint destroyed = 0;
        _backend.OnIoctl = (_, request, p) =>
        {
            requests.Add(request);
            if (request == Iommufd.IOMMU_IOAS_ALLOC)
            {
                Assert.That(Arg.As<iommu_ioas_alloc>(p).flags, Is.Zero);
                Arg.As<iommu_ioas_alloc>(p).out_ioas_id = 12;
            }
            if (request == Iommufd.IOMMU_DESTROY)
                destroyed = Arg.As<iommu_destroy>(p).id;
            return 0;
        };
        using var context = IommufdContext.Open(_backend);

        Ioas ioas = context.CreateIoas();
        Assert.That(ioas.Id, Is.EqualTo(new IoasId(12)));
        ioas.Destroy();
        Assert.That(destroyed, Is.EqualTo(12));
        Assert.That(requests, Is.EqualTo(new[] { Iommufd.IOMMU_IOAS_ALLOC, Iommufd.IOMMU_DESTROY }));
    }

    [Test]
    public void Destroy_failure_names_IOMMU_DESTROY()
    {
        _backend.OnIoctl = (_, _, _) => -(int)Errno.EBUSY;
        using var context = IommufdContext.Open(_backend);
        var e = Assert.Throws<IommuFdException>(() => context.Destroy(new HwptId(4)));
        Assert.That(e!.Message, Is.EqualTo("IOMMU_DESTROY failed: EBUSY (16)"));
    }

    [Test]
    public void VfioIoas_get_set_clear_use_their_ops()
    {
        var ops = new List<(ushort op, uint id)>();
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Iommufd.IOMMU_VFIO_IOAS));
            ref iommu_vfio_ioas arg = ref Arg.As<iommu_vfio_ioas>(p);
            ops.Add((arg.op, arg.ioas_id));
            if (arg.op == (ushort)Iommufd.IOMMU_VFIO_IOAS_GET)
                arg.ioas_id = 33;
            return 0;
        };
        using var context = IommufdContext.Open(_backend);

        context.SetVfioIoas(new IoasId(8));
        Assert.That(context.GetVfioIoas(), Is.EqualTo(new IoasId(33)));
        context.ClearVfioIoas();
        Assert.That(ops, Is.EqualTo(new[]
        {
            ((ushort)Iommufd.IOMMU_VFIO_IOAS_SET, 8u),
            ((ushort)Iommufd.IOMMU_VFIO_IOAS_GET, 0u),
            ((ushort)Iommufd.IOMMU_VFIO_IOAS_CLEAR, 0u),
        }));
    }

    [Test]
    public void AccountMode_is_the_global_RLIMIT_MODE_option()
    {
        iommu_option seen = default;
        _backend.OnIoctl = (_, _, p) =>
        {
            seen = Arg.As<iommu_option>(p);
            Arg.As<iommu_option>(p).val64 = 1;
            return 0;
        };
        using var context = IommufdContext.Open(_backend);

        Assert.That(context.GetAccountMode(), Is.EqualTo(AccountMode.Mm));
        Assert.That((seen.option_id, seen.op, seen.object_id),
                    Is.EqualTo(((uint)Iommufd.IOMMU_OPTION_RLIMIT_MODE, (ushort)Iommufd.IOMMU_OPTION_OP_GET, 0u)));
        context.SetAccountMode(AccountMode.User);
        Assert.That((seen.op, seen.val64), Is.EqualTo(((ushort)Iommufd.IOMMU_OPTION_OP_SET, 0UL)));
    }

    [Test]
    public void AllocHwpt_fills_device_pt_flags_and_nested_data()
    {
        iommu_hwpt_alloc seen = default;
        byte[] data = [];
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Iommufd.IOMMU_HWPT_ALLOC));
            seen = Arg.As<iommu_hwpt_alloc>(p);
            data = seen.data_len == 0 ? [] : Arg.Bytes((nint)seen.data_uptr, (int)seen.data_len).ToArray();
            Arg.As<iommu_hwpt_alloc>(p).out_hwpt_id = 21;
            return 0;
        };
        using var context = IommufdContext.Open(_backend);

        HwptId paging = context.AllocHwpt(new DeviceId(3), new IoasId(2), HwptAllocFlags.NestParent | HwptAllocFlags.DirtyTracking);
        Assert.That(paging, Is.EqualTo(new HwptId(21)));
        Assert.That((seen.dev_id, seen.pt_id, seen.flags, seen.data_len, seen.data_uptr),
                    Is.EqualTo((3u, 2u, (uint)(Iommufd.IOMMU_HWPT_ALLOC_NEST_PARENT | Iommufd.IOMMU_HWPT_ALLOC_DIRTY_TRACKING), 0u, 0UL)));

        context.AllocNestedHwpt(new DeviceId(3), paging, 0xdead, [1, 2, 3, 4], new FaultId(6));
        Assert.That((seen.pt_id, seen.data_type, seen.fault_id, seen.flags),
                    Is.EqualTo((21u, 0xdeadu, 6u, (uint)Iommufd.IOMMU_HWPT_FAULT_ID_VALID)));
        Assert.That(data, Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
    }

    [Test]
    public void GetHwInfo_passes_the_buffer_and_reads_every_output()
    {
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Iommufd.IOMMU_GET_HW_INFO));
            ref iommu_hw_info arg = ref Arg.As<iommu_hw_info>(p);
            Assert.That((arg.dev_id, arg.data_len), Is.EqualTo((5u, 8u)));
            Arg.Bytes((nint)arg.data_uptr, 8).Fill(0xEF);
            arg.data_len = 8;
            arg.out_data_type = 0xfeedbeef;
            arg.out_max_pasid_log2 = 20;
            arg.out_capabilities = (ulong)Iommufd.IOMMU_HW_CAP_DIRTY_TRACKING;
            return 0;
        };
        using var context = IommufdContext.Open(_backend);
        byte[] data = new byte[8];

        HwInfo info = context.GetHwInfo(new DeviceId(5), data);

        Assert.That(info, Is.EqualTo(new HwInfo(0xfeedbeef, 8, 20, HwCapabilities.DirtyTracking)));
        Assert.That(data, Has.All.EqualTo(0xEF));
    }

    [Test]
    public void Invalidate_reports_the_entries_handled_even_when_it_fails()
    {
        _backend.OnIoctl = (_, _, p) =>
        {
            ref iommu_hwpt_invalidate arg = ref Arg.As<iommu_hwpt_invalidate>(p);
            Assert.That((arg.entry_len, arg.entry_num), Is.EqualTo((8u, 3u)));
            arg.entry_num = 1;
            return -(int)Errno.EINVAL;
        };
        using var context = IommufdContext.Open(_backend);
        ReadOnlySpan<ulong> entries = [1, 2, 3];

        var e = Assert.Throws<IommuFdException>(() => context.Invalidate(new HwptId(4), 0xdeadbeef, new ulong[] { 1, 2, 3 }.AsSpan()));
        Assert.That(e!.Operation, Is.EqualTo("IOMMU_HWPT_INVALIDATE"));
        Assert.That(context.TryInvalidate(new HwptId(4), 0xdeadbeef, System.Runtime.InteropServices.MemoryMarshal.AsBytes(entries), 8, 3,
                                          out uint handled), Is.EqualTo(Errno.EINVAL));
        Assert.That(handled, Is.EqualTo(1));
    }

    [Test]
    public void AllocFaultQueue_owns_the_fd_the_kernel_returned()
    {
        _backend.OnIoctl = (_, _, p) =>
        {
            Arg.As<iommu_fault_alloc>(p).out_fault_id = 4;
            Arg.As<iommu_fault_alloc>(p).out_fault_fd = 77;
            return 0;
        };
        using var context = IommufdContext.Open(_backend);

        FaultQueue queue = context.AllocFaultQueue();
        Assert.That(queue.Id, Is.EqualTo(new FaultId(4)));
        queue.Dispose();
        Assert.That(_backend.Closed, Does.Contain(77));
    }

    private sealed class FailingOpenBackend : Backends.IIommuBackend
    {
        public string Name => "failing";
        public int Open(string path) => -(int)Errno.ENOENT;
        public int Close(int fd) => 0;
        public int Ioctl(int fd, uint request, void* argument) => -(int)Errno.EBADF;
        public long Read(int fd, Span<byte> buffer, long offset = -1) => -(int)Errno.EBADF;
        public long Write(int fd, ReadOnlySpan<byte> buffer, long offset = -1) => -(int)Errno.EBADF;
        public Backends.UserMemory Allocate(nuint length) => Backends.UserMemory.Map(length);
        public void Dispose() { }
    }
}
