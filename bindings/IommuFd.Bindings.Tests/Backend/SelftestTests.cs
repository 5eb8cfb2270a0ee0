using System.Buffers.Binary;
using IommuFd.Interop;

namespace IommuFd.Bindings.Tests.Backend;

/// <summary>Mock devices, mock domains, reserved ranges and accesses of IOMMU_TEST_CMD.</summary>
public class SelftestTests(BackendKind backend) : ContextFixture(backend)
{
    /// <summary>Behind virtio-iommu, which registers with a fwnode (all 9 pass there). 6.12 probes a device without a fwspec with the ops of any
    /// IOMMU registered without a fwnode (drivers/iommu/iommu.c __iommu_probe_device): under Intel
    /// VT-d or AMD-Vi the mock device gets the real driver's ops, is refused, has no IOMMU, and
    /// MOCK_DOMAIN answers EINVAL (seen in the intel VM).</summary>
    protected override IommuFd.TestVm.IommuModel? KernelModel => IommuFd.TestVm.IommuModel.Virtio;

    private MockDomain AttachMock(Ioas ioas)
    {
        Errno errno = Context.Selftest.TryMockDomain(ioas.Id.Value, out MockDomain domain);
        RequireSelftest(errno);
        Assert.That(errno, Is.EqualTo(Errno.None));
        return domain;
    }

    [Test]
    public void A_mock_domain_takes_the_next_ids_in_order_selftest_device_hwpt()
    {
        Ioas ioas = Context.CreateIoas();
        MockDomain domain = AttachMock(ioas);
        Assert.That((domain.Stdev.Value, domain.Device.Value, domain.Hwpt.Value),
                    Is.EqualTo((ioas.Id.Value + 1, ioas.Id.Value + 2, ioas.Id.Value + 3)));
    }

    [Test]
    public void A_mock_domain_limits_the_IOVA_ranges_to_its_aperture_and_sets_the_alignment_to_half_a_page()
    {
        Ioas ioas = Context.CreateIoas();
        AttachMock(ioas);
        IovaRanges ranges = ioas.GetIovaRanges();
        Assert.That(ranges.Ranges, Is.EqualTo(new[] { new IovaRange((ulong)IommufdTest.MOCK_APERTURE_START, (ulong)IommufdTest.MOCK_APERTURE_LAST) }));
        Assert.That(ranges.Alignment, Is.EqualTo(PageSize / 2));
    }

    [Test]
    public void Reserved_ranges_split_the_IOVA_ranges_and_the_reader_follows_EMSGSIZE()
    {
        Ioas ioas = Context.CreateIoas();
        RequireSelftest(Context.Selftest.TryAddReserved(ioas.Id, 0x10000, 0x1000));
        // Six reserved ranges give seven holes: more than the reader's first guess of four.
        for (ulong i = 1; i < 6; i++)
            Context.Selftest.AddReserved(ioas.Id, 0x10000 + i * 0x10000, 0x1000);

        IovaRanges ranges = ioas.GetIovaRanges();

        Assert.That(ranges.Ranges, Has.Count.EqualTo(7));
        Assert.That(ranges.Ranges[0], Is.EqualTo(new IovaRange(0, 0xFFFF)));
        Assert.That(ranges.Ranges[1], Is.EqualTo(new IovaRange(0x11000, 0x1FFFF)));
        Assert.That(ranges.Ranges[6], Is.EqualTo(new IovaRange(0x61000, ulong.MaxValue)));
    }

    [Test]
    public void A_mapping_is_visible_in_the_mock_page_table()
    {
        Ioas ioas = Context.CreateIoas();
        MockDomain domain = AttachMock(ioas);
        var memory = Memory(4 * PageSize);

        ulong iova = ioas.Map(memory.Address, 4 * PageSize);

        Assert.That(iova, Is.GreaterThanOrEqualTo((ulong)IommufdTest.MOCK_APERTURE_START));
        Context.Selftest.CheckMap(domain.Hwpt, iova, 4 * PageSize, memory.Address);
        Assert.That(Context.Selftest.TryCheckMap(domain.Hwpt, iova, PageSize, memory.Address + PageSize), Is.EqualTo(Errno.EINVAL),
                    "the first page of the IOVA is not the second page of the buffer");
    }

    [Test]
    public void An_IOAS_with_a_device_attached_is_busy_until_the_device_goes()
    {
        Ioas ioas = Context.CreateIoas();
        MockDomain domain = AttachMock(ioas);
        Assert.That(ioas.TryDestroy(), Is.EqualTo(Errno.EBUSY));
        Context.Destroy(domain.Stdev);
        Assert.That(Context.TryDestroy(domain.Hwpt), Is.EqualTo(Errno.ENOENT), "the automatic domain left with its last device");
        Assert.That(ioas.TryDestroy(), Is.EqualTo(Errno.None));
    }

    [Test]
    public void Hardware_info_of_a_mock_device_is_the_selftest_register()
    {
        Ioas ioas = Context.CreateIoas();
        MockDomain domain = AttachMock(ioas);
        byte[] data = new byte[16];
        data.AsSpan().Fill(0xFF);

        HwInfo info = Context.GetHwInfo(domain.Device, data);

        Assert.That(info.DataType, Is.EqualTo((uint)IommufdTest.IOMMU_HW_INFO_TYPE_SELFTEST));
        Assert.That(info.DataLength, Is.EqualTo(8));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(4)), Is.EqualTo((uint)IommufdTest.IOMMU_HW_INFO_SELFTEST_REGVAL));
        Assert.That(data.AsSpan(8).ToArray(), Has.All.Zero, "the rest of the buffer is cleared");
        Assert.That(info.Capabilities & HwCapabilities.DirtyTracking, Is.EqualTo(HwCapabilities.DirtyTracking));
    }

    [Test]
    public void A_manual_HWPT_survives_its_device_and_must_be_destroyed()
    {
        Ioas ioas = Context.CreateIoas();
        MockDomain domain = AttachMock(ioas);
        HwptId hwpt = Context.AllocHwpt(domain.Device, ioas.Id);
        Assert.That(Context.Selftest.MockDomainReplace(domain.Stdev, hwpt.Value), Is.EqualTo(hwpt));

        Context.Destroy(domain.Stdev);
        Assert.That(ioas.TryDestroy(), Is.EqualTo(Errno.EBUSY), "the HWPT still holds the IOAS");
        Context.Destroy(hwpt);
        ioas.Destroy();
    }

    [Test]
    public void Dirty_tracking_reports_pages_the_mock_marked()
    {
        Ioas ioas = Context.CreateIoas();
        MockDomain domain = AttachMock(ioas);
        HwptId hwpt = Context.AllocHwpt(domain.Device, ioas.Id, HwptAllocFlags.DirtyTracking);
        Context.Selftest.MockDomainReplace(domain.Stdev, hwpt.Value);
        var memory = Memory(8 * PageSize);
        ulong iova = ioas.Map(memory.Address, 8 * PageSize);
        Errno enabled = Context.TrySetDirtyTracking(hwpt, true);
        RequireSelftest(enabled);
        Assert.That(enabled, Is.EqualTo(Errno.None));

        // The selftest marks mock IOPTEs, indexed in units of its page_size: use the mock's own
        // PAGE_SIZE/2 granule. Chunks 2 and 10 lie in pages 1 and 5.
        ulong granule = PageSize / 2;
        var marks = Memory(PageSize);
        marks.Span[0] = 1 << 2;
        marks.Span[1] = 1 << (10 - 8);
        ulong marked = Context.Selftest.Dirty(hwpt, iova, 8 * PageSize, granule, marks.Address);
        Span<ulong> bitmap = stackalloc ulong[1];
        Context.GetDirtyBitmap(hwpt, iova, 8 * PageSize, PageSize, bitmap);

        Assert.That(marked, Is.EqualTo(2));
        // 7.3's mock domain is a generic page table: a physically contiguous run maps as one larger
        // IOPTE, and marking a page dirties the whole IOPTE, so neighbours of the marked pages may show.
        if (Has73)
            Assert.That(bitmap[0] & 0b0010_0010UL, Is.EqualTo(0b0010_0010UL));
        else
            Assert.That(bitmap[0], Is.EqualTo(0b0010_0010UL));
    }

    [Test]
    public void An_access_reads_and_writes_the_mapped_memory()
    {
        Ioas ioas = Context.CreateIoas();
        var memory = Memory(2 * PageSize);
        ulong iova = ioas.Map(memory.Address, 2 * PageSize);
        Errno errno = Context.Selftest.TryCreateAccess(ioas.Id, (uint)IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, out IommuFdHandle? access);
        RequireSelftest(errno);
        using (IommuFdHandle handle = access!)
        {
            Context.Selftest.AccessWrite(handle, iova + 10, [1, 2, 3]);
            Assert.That(memory.Span.Slice(10, 3).ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));

            memory.Span[(int)PageSize] = 0x77;
            byte[] read = new byte[1];
            Context.Selftest.AccessRead(handle, iova + PageSize, read);
            Assert.That(read[0], Is.EqualTo(0x77));

            uint pin = Context.Selftest.AccessPages(handle, iova, PageSize, memory.Address);
            Context.Selftest.DestroyAccessPages(handle, pin);
            Assert.That(Context.Selftest.TryDestroyAccessPages(handle, pin), Is.EqualTo(Errno.ENOENT));
        }
    }
}
