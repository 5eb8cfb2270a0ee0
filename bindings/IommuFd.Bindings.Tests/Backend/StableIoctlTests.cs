using System.Buffers.Binary;
using IommuFd.Bindings.Backends;
using IommuFd.Engine;
using IommuFd.Testing;
using Stable = IommuFd.Interop.Stable;

namespace IommuFd.Bindings.Tests.Backend;

/// <summary>Linux 7.3's ioctls through the idiomatic API, on whichever kernel answers: on 6.12 (the
/// engine here, the 6.12 test kernel) every throwing form says which kernel lacks the call; on 7.3
/// (the 7.3 test kernel) they do their work. Behind virtio-iommu, as the other selftest fixtures,
/// so the mock device exists under both kernels.</summary>
public sealed class StableIoctlTests(BackendKind backend) : ContextFixture(backend)
{
    private const uint VirtualId = 0x99;

    protected override IommuFd.TestVm.IommuModel? KernelModel => IommuFd.TestVm.IommuModel.Virtio;


    private void AssertLacks(Action call, string operation)
    {
        var e = Assert.Throws<IommuFdException>(call)!;
        Assert.That(e.Errno, Is.EqualTo(Errno.ENOTTY));
        Assert.That(e.Message, Is.EqualTo($"{operation} failed: ENOTTY (25): kernel {Release} lacks {operation} (iommufd has it from Linux 7.3)"));
    }

    [Test]
    public void MapFileMapsAMemfd()
    {
        using MemFd file = MemFd.Create("iommufd-map-file", 2 * (long)PageSize);
        Ioas ioas = Context.CreateIoas();
        if (!Has73)
        {
            AssertLacks(() => ioas.MapFile(file.Fd, 0, 2 * PageSize), "IOMMU_IOAS_MAP_FILE");
            AssertLacks(() => ioas.MapFileFixed(1 << 20, file.Fd, 0, PageSize), "IOMMU_IOAS_MAP_FILE");
            return;
        }
        ulong iova = ioas.MapFile(file.Fd, 0, 2 * PageSize);
        Assert.That(ioas.TryMapFileRaw(file.Fd, 0, PageSize, IoasMapFlags.ReadWrite | IoasMapFlags.FixedIova, ref iova), Is.EqualTo(Errno.EEXIST));
        Assert.That(ioas.Unmap(iova, 2 * PageSize), Is.EqualTo(2 * PageSize));
        ioas.MapFileFixed(iova, file.Fd, PageSize, PageSize);
        Assert.That(ioas.Unmap(iova, PageSize), Is.EqualTo(PageSize));
    }

    [Test]
    public void ChangeProcessTakesFileMappingsOnly()
    {
        if (!Has73)
        {
            AssertLacks(() => Context.ChangeProcess(), "IOMMU_IOAS_CHANGE_PROCESS");
            return;
        }
        using MemFd file = MemFd.Create("iommufd-change-process", (long)PageSize);
        Ioas ioas = Context.CreateIoas();
        ioas.MapFile(file.Fd, 0, PageSize);
        Context.ChangeProcess();
        ioas.Map(Memory(PageSize).Address, PageSize);
        Assert.That(Context.TryChangeProcess(), Is.EqualTo(Errno.EINVAL), "an area of user memory cannot change process (iommufd_ioas_change_process)");
    }

    [Test]
    public void NoIommuPhysicalAddressNeedsTheNoIommuOption()
    {
        Ioas ioas = Context.CreateIoas();
        ulong iova = ioas.Map(Memory(PageSize).Address, PageSize);
        if (!Has73)
        {
            AssertLacks(() => ioas.GetNoIommuPhysical(iova, PageSize), "IOMMU_IOAS_NOIOMMU_GET_PA");
            return;
        }
        Assert.That(ioas.TryGetNoIommuPhysical(iova, PageSize, out _, out _), Is.EqualTo(Errno.EOPNOTSUPP),
            "the test kernel is built without CONFIG_IOMMUFD_NOIOMMU (docs/kernel-tier.md)");
    }

    [Test]
    public void ViommuVdeviceEventQueueAndHwQueue()
    {
        if (!Has73)
        {
            AssertLacks(() => Context.AllocViommu(new DeviceId(1), new HwptId(2), Stable.IommufdTest.IOMMU_VIOMMU_TYPE_SELFTEST), "IOMMU_VIOMMU_ALLOC");
            AssertLacks(() => Context.AllocVdevice(new ViommuId(1), new DeviceId(2), VirtualId), "IOMMU_VDEVICE_ALLOC");
            AssertLacks(() => Context.AllocVeventQueue(new ViommuId(1), Stable.IommufdTest.IOMMU_VEVENTQ_TYPE_SELFTEST, 2), "IOMMU_VEVENTQ_ALLOC");
            AssertLacks(() => Context.AllocHwQueue(new ViommuId(1), Stable.IommufdTest.IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, 0, PageSize), "IOMMU_HW_QUEUE_ALLOC");
            return;
        }
        Ioas ioas = Context.CreateIoas();
        Errno mocked = Context.Selftest.TryMockDomain(ioas.Id.Value, out MockDomain mock);
        RequireSelftest(mocked);
        Assert.That(mocked, Is.EqualTo(Errno.None));
        HwptId parent = Context.AllocHwpt(mock.Device, ioas.Id, HwptAllocFlags.NestParent);

        ViommuId viommu = Context.AllocViommu(mock.Device, parent, Stable.IommufdTest.IOMMU_VIOMMU_TYPE_SELFTEST);
        Assert.That(Context.TryAllocViommu(mock.Device, parent, 0xbad, default, out _), Is.EqualTo(Errno.EOPNOTSUPP), "a type the mock driver lacks");
        Context.AllocVdevice(viommu, mock.Device, VirtualId);
        using VeventQueue queue = Context.AllocVeventQueue(viommu, Stable.IommufdTest.IOMMU_VEVENTQ_TYPE_SELFTEST, 2);
        Assert.That(queue.ReadEvents(sizeof(uint)), Is.Empty, "nothing reported yet");

        // The mock device reports through the vIOMMU of the nested domain it is attached to (mock_domain_nop_attach).
        byte[] selftestData = new byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(selftestData, Stable.IommufdTest.IOMMU_TEST_IOTLB_DEFAULT);
        Assert.That(Context.TryAllocHwpt(mock.Device, viommu.Value, HwptAllocFlags.None, Stable.IommufdTest.IOMMU_HWPT_DATA_SELFTEST,
            selftestData, 0, out HwptId nested), Is.EqualTo(Errno.None), "a nested HWPT on the vIOMMU");
        Context.Selftest.MockDomainReplace(mock.Stdev, nested.Value);

        TriggerVevent(mock.Device);
        IReadOnlyList<Vevent> events = queue.ReadEvents(sizeof(uint));
        Assert.That(events, Has.Count.EqualTo(1));
        Assert.That((events[0].LostEvents, BinaryPrimitives.ReadUInt32LittleEndian(events[0].Data)), Is.EqualTo((false, VirtualId)),
            "the selftest's event carries the vDevice's virtual id");

        ulong queueIova = ioas.Map(Memory(PageSize).Address, PageSize);
        HwQueueId hwQueue = Context.AllocHwQueue(viommu, Stable.IommufdTest.IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, queueIova, PageSize);
        Assert.That(hwQueue.Value, Is.Not.Zero);
        Assert.That(Context.TryAllocHwQueue(viommu, Stable.IommufdTest.IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, queueIova, PageSize, out _), Is.EqualTo(Errno.EEXIST),
            "index 0 is taken (mock_hw_queue_init_phys)");
    }

    private void TriggerVevent(DeviceId device)
    {
        var cmd = new Stable.iommu_test_cmd { op = (uint)Stable.IommufdTest.IOMMU_TEST_OP_TRIGGER_VEVENT };
        cmd.trigger_vevent.dev_id = device.Value;
        using IommuFdHandle.FdLease fd = Context.Handle.Borrow();
        Assert.That(Stable.IommufdTestIoctls.IOMMU_TEST_CMD(Backend, fd.Fd, ref cmd), Is.Zero, "IOMMU_TEST_OP_TRIGGER_VEVENT");
    }
}
