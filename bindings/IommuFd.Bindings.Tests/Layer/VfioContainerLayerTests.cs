using System.Runtime.InteropServices;
using IommuFd.Bindings.Tests.Fakes;
using IommuFd.Interop;

namespace IommuFd.Bindings.Tests.Layer;

/// <summary>The VFIO type1 container calls against a scripted backend.</summary>
[TestFixture]
public unsafe class VfioContainerLayerTests
{
    private ScriptedBackend _backend = null!;
    private VfioContainer _container = null!;

    [SetUp]
    public void SetUp()
    {
        _backend = new ScriptedBackend();
        _container = VfioContainer.Open(_backend);
    }

    [TearDown]
    public void TearDown()
    {
        _container.Dispose();
        _backend.Dispose();
    }

    [Test]
    public void Opens_dev_vfio_vfio_and_closes_it()
    {
        int fd = _container.Handle.Fd;
        Assert.That(_backend.Opened, Is.EqualTo(new[] { "/dev/vfio/vfio" }));
        _container.Dispose();
        Assert.That(_backend.Closed, Is.EqualTo(new[] { fd }));
    }

    [Test]
    public void Integer_arguments_travel_by_value()
    {
        var seen = new List<(uint, nint)>();
        _backend.OnIoctl = (_, request, p) => { seen.Add((request, p)); return request == Vfio.VFIO_CHECK_EXTENSION ? 1 : 0; };

        Assert.That(_container.GetApiVersion(), Is.Zero);
        Assert.That(_container.CheckExtension((uint)Vfio.VFIO_TYPE1v2_IOMMU), Is.EqualTo(1));
        _container.SetIommu((uint)Vfio.VFIO_TYPE1v2_IOMMU);

        Assert.That(seen, Is.EqualTo(new[]
        {
            (Vfio.VFIO_GET_API_VERSION, (nint)0),
            (Vfio.VFIO_CHECK_EXTENSION, (nint)Vfio.VFIO_TYPE1v2_IOMMU),
            (Vfio.VFIO_SET_IOMMU, (nint)Vfio.VFIO_TYPE1v2_IOMMU),
        }));
    }

    [Test]
    public void MapDma_fills_the_type1_struct()
    {
        vfio_iommu_type1_dma_map seen = default;
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Vfio.VFIO_IOMMU_MAP_DMA));
            seen = Arg.As<vfio_iommu_type1_dma_map>(p);
            return 0;
        };
        _container.MapDma(0x7000_0000, 0x10_0000, 0x2000, VfioDmaMapFlags.Read);
        Assert.That((seen.argsz, seen.flags, seen.vaddr, seen.iova, seen.size),
                    Is.EqualTo(((uint)sizeof(vfio_iommu_type1_dma_map), (uint)Vfio.VFIO_DMA_MAP_FLAG_READ, 0x7000_0000UL, 0x10_0000UL, 0x2000UL)));
    }

    [Test]
    public void UnmapDma_reports_the_bytes_written_back_even_on_failure()
    {
        _backend.OnIoctl = (_, _, p) =>
        {
            Arg.As<vfio_iommu_type1_dma_unmap>(p).size = 0x1000;
            return -(int)Errno.ENOENT;
        };
        Assert.That(_container.TryUnmapDma(0, 0x3000, VfioDmaUnmapFlags.None, out ulong unmapped), Is.EqualTo(Errno.ENOENT));
        Assert.That(unmapped, Is.EqualTo(0x1000));
    }

    [Test]
    public void UnmapAllDma_sets_the_ALL_flag_with_zero_range()
    {
        vfio_iommu_type1_dma_unmap seen = default;
        _backend.OnIoctl = (_, _, p) => { seen = Arg.As<vfio_iommu_type1_dma_unmap>(p); Arg.As<vfio_iommu_type1_dma_unmap>(p).size = 0x9000; return 0; };
        Assert.That(_container.UnmapAllDma(), Is.EqualTo(0x9000));
        Assert.That((seen.flags, seen.iova, seen.size), Is.EqualTo(((uint)Vfio.VFIO_DMA_UNMAP_FLAG_ALL, 0UL, 0UL)));
    }

    [Test]
    public void GetInfo_grows_argsz_to_what_the_kernel_asks_and_parses_both_capabilities()
    {
        int head = sizeof(vfio_iommu_type1_info);
        int avail = sizeof(vfio_iommu_type1_info_dma_avail);
        int availPadded = (avail + 7) & ~7;
        int iovaCap = sizeof(vfio_iommu_type1_info_cap_iova_range) + sizeof(vfio_iova_range);
        uint total = (uint)(head + availPadded + iovaCap);
        var argszSeen = new List<uint>();
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(Vfio.VFIO_IOMMU_GET_INFO));
            ref vfio_iommu_type1_info info = ref Arg.As<vfio_iommu_type1_info>(p);
            uint argsz = info.argsz;
            argszSeen.Add(argsz);
            info.flags = (uint)(Vfio.VFIO_IOMMU_INFO_PGSIZES | Vfio.VFIO_IOMMU_INFO_CAPS);
            info.iova_pgsizes = 0x1000;
            if (argsz >= total)
            {
                Span<byte> all = Arg.Bytes(p, (int)total);
                var dma = new vfio_iommu_type1_info_dma_avail { avail = 65535 };
                dma.header.id = (ushort)Vfio.VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
                dma.header.version = 1;
                dma.header.next = (uint)(head + availPadded);
                MemoryMarshal.Write(all[head..], in dma);
                var ranges = new vfio_iommu_type1_info_cap_iova_range { nr_iovas = 1 };
                ranges.header.id = (ushort)Vfio.VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
                ranges.header.version = 1;
                MemoryMarshal.Write(all[(head + availPadded)..], in ranges);
                var range = new vfio_iova_range { start = 0x100_0000, end = 0x7FFF_FFFF };
                MemoryMarshal.Write(all[(head + availPadded + sizeof(vfio_iommu_type1_info_cap_iova_range))..], in range);
                info.cap_offset = (uint)head;
            }
            info.argsz = total;
            return 0;
        };

        VfioIommuInfo result = _container.GetInfo();

        Assert.That(argszSeen, Is.EqualTo(new[] { (uint)head, total }));
        Assert.That(result.IovaPageSizes, Is.EqualTo(0x1000));
        Assert.That(result.DmaAvailable, Is.EqualTo(65535));
        Assert.That(result.IovaRanges, Is.EqualTo(new[] { new IovaRange(0x100_0000, 0x7FFF_FFFF) }));
        Assert.That(result.Capabilities.Select(c => c.Offset), Is.EqualTo(new[] { (uint)head, (uint)(head + availPadded) }));
    }

    [Test]
    public void A_container_view_of_an_iommufd_does_not_close_the_iommufd()
    {
        using var context = IommufdContext.Open(_backend);
        using (VfioContainer view = context.AsVfioContainer())
            Assert.That(view.Handle, Is.SameAs(context.Handle));
        Assert.That(context.Handle.IsClosed, Is.False);
    }
}
