using IommuFd.Bindings.Tests.Fakes;
using IommuFd.Interop;

namespace IommuFd.Bindings.Tests.Layer;

/// <summary>What the IOAS calls put in their structs and how they read the kernel's answer, checked
/// against a scripted backend that plays the kernel.</summary>
[TestFixture]
public unsafe class IoasLayerTests
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
    public void Map_fills_every_field_and_returns_the_iova_the_kernel_chose()
    {
        iommu_ioas_map seen = default;
        _backend.OnIoctl = (fd, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Iommufd.IOMMU_IOAS_MAP));
            seen = Arg.As<iommu_ioas_map>(p);
            Arg.As<iommu_ioas_map>(p).iova = 0x40000;
            return 0;
        };
        var ioas = _context.OpenIoas(new IoasId(5));

        ulong iova = ioas.Map(0x7f0000001000, 0x3000, IoasMapFlags.Readable);

        Assert.Multiple(() =>
        {
            Assert.That(iova, Is.EqualTo(0x40000));
            Assert.That(seen.size, Is.EqualTo((uint)sizeof(iommu_ioas_map)));
            Assert.That(seen.flags, Is.EqualTo((uint)Iommufd.IOMMU_IOAS_MAP_READABLE));
            Assert.That(seen.ioas_id, Is.EqualTo(5));
            Assert.That(seen.__reserved, Is.Zero);
            Assert.That(seen.user_va, Is.EqualTo(0x7f0000001000));
            Assert.That(seen.length, Is.EqualTo(0x3000));
            Assert.That(seen.iova, Is.Zero);
            Assert.That(_backend.Calls[0].Fd, Is.EqualTo(_context.Handle.Fd));
        });
    }

    [Test]
    public void Map_never_passes_FIXED_IOVA_and_MapFixed_always_does()
    {
        var flags = new List<uint>();
        var iovas = new List<ulong>();
        _backend.OnIoctl = (_, _, p) =>
        {
            flags.Add(Arg.As<iommu_ioas_map>(p).flags);
            iovas.Add(Arg.As<iommu_ioas_map>(p).iova);
            return 0;
        };
        var ioas = _context.OpenIoas(new IoasId(1));
        ioas.Map(0x1000, 0x1000, IoasMapFlags.ReadWrite | IoasMapFlags.FixedIova);
        ioas.MapFixed(0x9000, 0x1000, 0x1000);

        uint fixedBit = (uint)Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA;
        Assert.That(flags[0] & fixedBit, Is.Zero);
        Assert.That(flags[1] & fixedBit, Is.EqualTo(fixedBit));
        Assert.That(flags[1] & ~fixedBit, Is.EqualTo((uint)(Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE)));
        Assert.That(iovas[1], Is.EqualTo(0x9000));
    }

    [Test]
    public void A_failing_map_throws_with_the_ioctl_name_and_errno_and_TryMap_returns_the_errno()
    {
        _backend.OnIoctl = (_, _, _) => -(int)Errno.EEXIST;
        var ioas = _context.OpenIoas(new IoasId(1));

        var e = Assert.Throws<IommuFdException>(() => ioas.MapFixed(0, 0x1000, 0x1000));
        Assert.That(e!.Message, Is.EqualTo("IOMMU_IOAS_MAP failed: EEXIST (17)"));
        Assert.That(e.Errno, Is.EqualTo(Errno.EEXIST));
        Assert.That(ioas.TryMap(0x1000, 0x1000, IoasMapFlags.ReadWrite, out ulong iova), Is.EqualTo(Errno.EEXIST));
        Assert.That(iova, Is.Zero);
    }

    [Test]
    public void Unmap_returns_the_length_the_kernel_wrote_back_and_UnmapAll_asks_for_everything()
    {
        iommu_ioas_unmap seen = default;
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Iommufd.IOMMU_IOAS_UNMAP));
            seen = Arg.As<iommu_ioas_unmap>(p);
            Arg.As<iommu_ioas_unmap>(p).length = 0x5000;
            return 0;
        };
        var ioas = _context.OpenIoas(new IoasId(3));

        Assert.That(ioas.Unmap(0x2000, 0x10000), Is.EqualTo(0x5000));
        Assert.That((seen.size, seen.ioas_id, seen.iova, seen.length), Is.EqualTo(((uint)sizeof(iommu_ioas_unmap), 3u, 0x2000UL, 0x10000UL)));
        Assert.That(ioas.UnmapAll(), Is.EqualTo(0x5000));
        Assert.That((seen.iova, seen.length), Is.EqualTo((0UL, ulong.MaxValue)));
    }

    [Test]
    public void TryUnmap_reports_zero_bytes_on_failure()
    {
        _backend.OnIoctl = (_, _, p) =>
        {
            Arg.As<iommu_ioas_unmap>(p).length = 0x1000; // not a real write-back: the call fails
            return -(int)Errno.ENOENT;
        };
        var ioas = _context.OpenIoas(new IoasId(3));
        Assert.That(ioas.TryUnmap(0, 0x2000, out ulong unmapped), Is.EqualTo(Errno.ENOENT));
        Assert.That(unmapped, Is.Zero);
    }

    [Test]
    public void CopyFrom_fills_source_and_destination_and_returns_the_destination_iova()
    {
        iommu_ioas_copy seen = default;
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Iommufd.IOMMU_IOAS_COPY));
            seen = Arg.As<iommu_ioas_copy>(p);
            Arg.As<iommu_ioas_copy>(p).dst_iova = 0x80000;
            return 0;
        };
        var dst = _context.OpenIoas(new IoasId(7));

        Assert.That(dst.CopyFrom(new IoasId(2), 0x4000, 0x2000, IoasMapFlags.Readable), Is.EqualTo(0x80000));
        Assert.Multiple(() =>
        {
            Assert.That(seen.size, Is.EqualTo((uint)sizeof(iommu_ioas_copy)));
            Assert.That(seen.dst_ioas_id, Is.EqualTo(7));
            Assert.That(seen.src_ioas_id, Is.EqualTo(2));
            Assert.That(seen.src_iova, Is.EqualTo(0x4000));
            Assert.That(seen.length, Is.EqualTo(0x2000));
            Assert.That(seen.flags, Is.EqualTo((uint)Iommufd.IOMMU_IOAS_MAP_READABLE));
        });
        dst.CopyFromFixed(new IoasId(2), 0x4000, 0x6000, 0x2000);
        Assert.That(seen.dst_iova, Is.EqualTo(0x6000));
        Assert.That(seen.flags & (uint)Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA, Is.Not.Zero);
    }

    [Test]
    public void IovaRanges_asks_again_with_the_count_the_kernel_reported_on_EMSGSIZE()
    {
        var capacities = new List<uint>();
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Iommufd.IOMMU_IOAS_IOVA_RANGES));
            ref iommu_ioas_iova_ranges arg = ref Arg.As<iommu_ioas_iova_ranges>(p);
            uint capacity = arg.num_iovas;
            capacities.Add(capacity);
            var ranges = new Span<iommu_iova_range>((void*)arg.allowed_iovas, (int)capacity);
            for (int i = 0; i < 6 && i < capacity; i++)
                ranges[i] = new iommu_iova_range { start = (ulong)i * 0x10000, last = (ulong)i * 0x10000 + 0xFFF };
            arg.num_iovas = 6;
            arg.out_iova_alignment = 2048;
            return capacity < 6 ? -(int)Errno.EMSGSIZE : 0;
        };
        var ioas = _context.OpenIoas(new IoasId(1));

        IovaRanges result = ioas.GetIovaRanges();

        Assert.That(capacities, Is.EqualTo(new uint[] { 4, 6 }));
        Assert.That(result.Alignment, Is.EqualTo(2048));
        Assert.That(result.Ranges, Has.Count.EqualTo(6));
        Assert.That(result.Ranges[5], Is.EqualTo(new IovaRange(0x50000, 0x50FFF)));
    }

    [Test]
    public void TryGetIovaRanges_reports_the_needed_count_with_EMSGSIZE()
    {
        _backend.OnIoctl = (_, _, p) =>
        {
            Arg.As<iommu_ioas_iova_ranges>(p).num_iovas = 3;
            return -(int)Errno.EMSGSIZE;
        };
        var ioas = _context.OpenIoas(new IoasId(1));
        Span<iommu_iova_range> one = stackalloc iommu_iova_range[1];
        Assert.That(ioas.TryGetIovaRanges(one, out int total, out _), Is.EqualTo(Errno.EMSGSIZE));
        Assert.That(total, Is.EqualTo(3));
    }

    [Test]
    public void AllowIovas_passes_the_ranges_as_C_structs()
    {
        var seen = new List<(ulong, ulong)>();
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Iommufd.IOMMU_IOAS_ALLOW_IOVAS));
            ref iommu_ioas_allow_iovas arg = ref Arg.As<iommu_ioas_allow_iovas>(p);
            foreach (iommu_iova_range r in new Span<iommu_iova_range>((void*)arg.allowed_iovas, (int)arg.num_iovas))
                seen.Add((r.start, r.last));
            return 0;
        };
        var ioas = _context.OpenIoas(new IoasId(1));
        ioas.AllowIovas([new IovaRange(0x1000, 0x1FFF), new IovaRange(0x10000, 0x1FFFF)]);
        Assert.That(seen, Is.EqualTo(new[] { (0x1000UL, 0x1FFFUL), (0x10000UL, 0x1FFFFUL) }));
    }

    [Test]
    public void HugePages_goes_through_IOMMU_OPTION_on_the_IOAS()
    {
        iommu_option seen = default;
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Iommufd.IOMMU_OPTION));
            seen = Arg.As<iommu_option>(p);
            Arg.As<iommu_option>(p).val64 = 1;
            return 0;
        };
        var ioas = _context.OpenIoas(new IoasId(9));

        Assert.That(ioas.GetHugePages(), Is.True);
        Assert.That((seen.option_id, seen.op, seen.object_id),
                    Is.EqualTo(((uint)Iommufd.IOMMU_OPTION_HUGE_PAGES, (ushort)Iommufd.IOMMU_OPTION_OP_GET, 9u)));
        ioas.SetHugePages(false);
        Assert.That((seen.op, seen.val64), Is.EqualTo(((ushort)Iommufd.IOMMU_OPTION_OP_SET, 0UL)));
    }
}
