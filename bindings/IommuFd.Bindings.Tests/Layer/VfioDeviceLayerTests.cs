using System.Runtime.InteropServices;
using IommuFd.Bindings.Tests.Fakes;
using IommuFd.Interop;

namespace IommuFd.Bindings.Tests.Layer;

/// <summary>The VFIO device cdev calls against a scripted backend.</summary>
[TestFixture]
public unsafe class VfioDeviceLayerTests
{
    private ScriptedBackend _backend = null!;
    private VfioDevice _device = null!;

    [SetUp]
    public void SetUp()
    {
        _backend = new ScriptedBackend();
        _device = VfioDevice.Open(_backend, "/dev/vfio/devices/vfio0");
    }

    [TearDown]
    public void TearDown()
    {
        _device.Dispose();
        _backend.Dispose();
    }

    [Test]
    public void BindIommufd_passes_the_iommufd_fd_and_returns_the_device_id()
    {
        using var context = IommufdContext.Open(_backend);
        vfio_device_bind_iommufd seen = default;
        _backend.OnIoctl = (fd, request, p) =>
        {
            Assert.That(fd, Is.EqualTo(_device.Handle.Fd));
            Assert.That(request, Is.EqualTo(Vfio.VFIO_DEVICE_BIND_IOMMUFD));
            seen = Arg.As<vfio_device_bind_iommufd>(p);
            Arg.As<vfio_device_bind_iommufd>(p).out_devid = 3;
            return 0;
        };

        Assert.That(_device.BindIommufd(context), Is.EqualTo(new DeviceId(3)));
        Assert.That((seen.argsz, seen.flags, seen.iommufd), Is.EqualTo(((uint)sizeof(vfio_device_bind_iommufd), 0u, context.Handle.Fd)));
    }

    [Test]
    public void Attach_returns_the_pt_id_the_kernel_wrote_back_and_Detach_sends_the_bare_struct()
    {
        var requests = new List<uint>();
        _backend.OnIoctl = (_, request, p) =>
        {
            requests.Add(request);
            if (request == Vfio.VFIO_DEVICE_ATTACH_IOMMUFD_PT)
            {
                Assert.That(Arg.As<vfio_device_attach_iommufd_pt>(p).pt_id, Is.EqualTo(2));
                Arg.As<vfio_device_attach_iommufd_pt>(p).pt_id = 5; // the automatic domain
            }
            else
            {
                Assert.That(Arg.As<vfio_device_detach_iommufd_pt>(p).argsz, Is.EqualTo((uint)sizeof(vfio_device_detach_iommufd_pt)));
            }
            return 0;
        };

        Assert.That(_device.AttachIoas(new IoasId(2)), Is.EqualTo(new HwptId(5)));
        _device.Detach();
        Assert.That(requests, Is.EqualTo(new[] { Vfio.VFIO_DEVICE_ATTACH_IOMMUFD_PT, Vfio.VFIO_DEVICE_DETACH_IOMMUFD_PT }));
    }

    [Test]
    public void GetRegionInfo_grows_argsz_for_capabilities_and_keeps_the_index()
    {
        int head = sizeof(vfio_region_info);
        uint total = (uint)(head + 16);
        var argszSeen = new List<uint>();
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Vfio.VFIO_DEVICE_GET_REGION_INFO));
            ref vfio_region_info info = ref Arg.As<vfio_region_info>(p);
            Assert.That(info.index, Is.EqualTo(2));
            argszSeen.Add(info.argsz);
            info.flags = (uint)(Vfio.VFIO_REGION_INFO_FLAG_READ | Vfio.VFIO_REGION_INFO_FLAG_CAPS);
            info.size = 0x4000;
            info.offset = 0x200_0000_0000;
            if (info.argsz >= total)
            {
                var cap = new vfio_info_cap_header { id = 2, version = 1, next = 0 };
                MemoryMarshal.Write(Arg.Bytes(p, (int)total)[head..], in cap);
                info.cap_offset = (uint)head;
            }
            info.argsz = total;
            return 0;
        };

        VfioRegionInfo region = _device.GetRegionInfo(2);

        Assert.That(argszSeen, Is.EqualTo(new[] { (uint)head, total }));
        Assert.That((region.Index, region.Size, region.Offset), Is.EqualTo((2u, 0x4000UL, 0x200_0000_0000UL)));
        Assert.That(region.Flags, Is.EqualTo(VfioRegionFlags.Read | VfioRegionFlags.Caps));
        Assert.That(region.Capabilities.Single().Id, Is.EqualTo(2));
    }

    [Test]
    public void SetIrqEventfds_puts_the_fds_right_after_the_header()
    {
        byte[] sent = [];
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Vfio.VFIO_DEVICE_SET_IRQS));
            sent = Arg.Bytes(p, (int)Arg.As<vfio_irq_set>(p).argsz).ToArray();
            return 0;
        };

        _device.SetIrqEventfds(2, 1, [10, 11]);

        vfio_irq_set head = MemoryMarshal.Read<vfio_irq_set>(sent);
        Assert.That(sent, Has.Length.EqualTo(sizeof(vfio_irq_set) + 8));
        Assert.That((head.argsz, head.index, head.start, head.count), Is.EqualTo(((uint)sent.Length, 2u, 1u, 2u)));
        Assert.That(head.flags, Is.EqualTo((uint)(Vfio.VFIO_IRQ_SET_DATA_EVENTFD | Vfio.VFIO_IRQ_SET_ACTION_TRIGGER)));
        Assert.That(MemoryMarshal.Cast<byte, int>(sent.AsSpan(sizeof(vfio_irq_set))).ToArray(), Is.EqualTo(new[] { 10, 11 }));
    }

    [Test]
    public void Config_space_is_read_and_written_at_the_config_region_offset()
    {
        _backend.OnIoctl = (_, _, p) =>
        {
            ref vfio_region_info info = ref Arg.As<vfio_region_info>(p);
            Assert.That(info.index, Is.EqualTo((uint)Vfio.VFIO_PCI_CONFIG_REGION_INDEX));
            info.size = 256;
            info.offset = 0x700_0000_0000;
            return 0;
        };
        var reads = new List<long>();
        var writes = new List<(long, byte[])>();
        _backend.OnRead = (_, offset, buffer) => { reads.Add(offset); buffer.AsSpan().Fill(0x86); return buffer.Length; };
        _backend.OnWrite = (_, offset, data) => { writes.Add((offset, data)); return data.Length; };

        byte[] vendor = new byte[2];
        Assert.That(_device.ReadConfig(0, vendor), Is.EqualTo(2));
        _device.WriteConfig(4, [6, 0]);

        Assert.That(vendor, Is.EqualTo(new byte[] { 0x86, 0x86 }));
        Assert.That(reads, Is.EqualTo(new[] { 0x700_0000_0000L }));
        Assert.That(writes.Single().Item1, Is.EqualTo(0x700_0000_0004L));
        Assert.That(_backend.Calls, Has.Count.EqualTo(1), "the config region is looked up once");
    }

    [Test]
    public void A_failed_pread_throws_with_its_errno()
    {
        _backend.OnRead = (_, _, _) => -(int)Errno.EINVAL;
        var region = new VfioRegionInfo(0, VfioRegionFlags.Read, 0x1000, 0, []);
        var e = Assert.Throws<IommuFdException>(() => _device.ReadRegion(region, 0, new byte[4]));
        Assert.That(e!.Message, Is.EqualTo("pread failed: EINVAL (22)"));
    }

    [Test]
    public void GetInfo_without_capabilities_asks_once()
    {
        int calls = 0;
        _backend.OnIoctl = (_, request, p) =>
        {
            calls++;
            Assert.That(request, Is.EqualTo(Vfio.VFIO_DEVICE_GET_INFO));
            ref vfio_device_info info = ref Arg.As<vfio_device_info>(p);
            Assert.That(info.argsz, Is.EqualTo((uint)sizeof(vfio_device_info)));
            info.flags = (uint)(Vfio.VFIO_DEVICE_FLAGS_PCI | Vfio.VFIO_DEVICE_FLAGS_RESET);
            info.num_regions = 9;
            info.num_irqs = 5;
            return 0;
        };

        VfioDeviceInfo device = _device.GetInfo();

        Assert.That(calls, Is.EqualTo(1));
        Assert.That((device.Flags, device.NumRegions, device.NumIrqs), Is.EqualTo((VfioDeviceFlags.Pci | VfioDeviceFlags.Reset, 9u, 5u)));
        Assert.That(device.Capabilities, Is.Empty);
    }

    [Test]
    public void GetIrqInfo_sends_the_index_and_reads_flags_and_count()
    {
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Vfio.VFIO_DEVICE_GET_IRQ_INFO));
            ref vfio_irq_info info = ref Arg.As<vfio_irq_info>(p);
            Assert.That((info.argsz, info.index), Is.EqualTo(((uint)sizeof(vfio_irq_info), 2u)));
            info.flags = (uint)(Vfio.VFIO_IRQ_INFO_EVENTFD | Vfio.VFIO_IRQ_INFO_NORESIZE);
            info.count = 16;
            return 0;
        };
        Assert.That(_device.GetIrqInfo(2), Is.EqualTo(new VfioIrqInfo(2, VfioIrqInfoFlags.Eventfd | VfioIrqInfoFlags.NoResize, 16)));
    }

    [Test]
    public void Reset_takes_no_argument_and_a_failure_names_it()
    {
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That((request, p), Is.EqualTo((Vfio.VFIO_DEVICE_RESET, (nint)0)));
            return -(int)Errno.ENOTTY;
        };
        var e = Assert.Throws<IommuFdException>(() => _device.Reset());
        Assert.That(e!.Message, Is.EqualTo("VFIO_DEVICE_RESET failed: ENOTTY (25)"));
    }

    [Test]
    public void SetIrqs_with_more_data_than_fits_the_stack_still_sends_it_all()
    {
        int seenLength = 0;
        byte last = 0;
        _backend.OnIoctl = (_, _, p) =>
        {
            seenLength = (int)Arg.As<vfio_irq_set>(p).argsz;
            last = Arg.Bytes(p, seenLength)[seenLength - 1];
            return 0;
        };
        byte[] data = new byte[2048];
        data[^1] = 0x42;
        _device.SetIrqs(VfioIrqSetFlags.DataBool | VfioIrqSetFlags.ActionTrigger, 2, 0, 2048, data);
        Assert.That((seenLength, last), Is.EqualTo((sizeof(vfio_irq_set) + 2048, (byte)0x42)));
    }
}
