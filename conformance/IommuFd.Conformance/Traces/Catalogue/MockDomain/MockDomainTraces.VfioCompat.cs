using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// The 6.12 fixture vfio_compat_mock_domain, one trace per case and variant (VfioCompatMockDomainTests):
// Ver1v2 (VFIO_TYPE1v2_IOMMU) and Ver1v0 (VFIO_TYPE1_IOMMU).
public sealed partial class MockDomainTraces
{
    private static readonly (string Name, uint Type)[] CompatVariants = [("ver1v2", Vfio.VFIO_TYPE1v2_IOMMU), ("ver1v0", Vfio.VFIO_TYPE1_IOMMU)];

    /// <summary>GET_INFO's whole reply (header 24 + dma_avail 16 + one IOVA range 32), and the bytes filled
    /// with 0xAA past argsz and read back (nothing may be written there).</summary>
    private const int InfoChainLength = 72, InfoWindow = 128;

    /// <summary>huge_map's length: HUGEPAGE_SIZE * 2.</summary>
    private const ulong HugeMapLength = 2 * HugePage;

    private IEnumerable<Trace> VfioCompatTraces() =>
        CompatVariants.SelectMany(v => new[]
        {
            CompatSimpleClose(v.Name, v.Type), CompatOptionHugePages(v.Name, v.Type), CompatGetInfo(v.Name, v.Type), CompatMap(v.Name, v.Type),
            CompatHugeMap("huge-map-small-pages", v.Name, v.Type, hugetlb: false), CompatHugeMap("huge-map", v.Name, v.Type, hugetlb: true),
        });

    /// <summary>The fixture: the selftests' buffer, an IOAS with a mock device, IOMMU_VFIO_IOAS SET, VFIO_SET_IOMMU.</summary>
    private (TraceBuilder T, TraceBuffer Buffer, IoasHandle Ioas) CompatFixture(string @case, string variant, uint type)
    {
        TraceBuilder t = New($"vfio-compat-{@case}-{variant}");
        TraceBuffer buffer = t.Alloc("buffer", SelftestBuffer);
        t.Touch(buffer, (int)(SelftestBuffer / Page));
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.TestMockDomain("mock_domain", ioas);
        t.VfioIoas("vfio_ioas_set", Iommufd.IOMMU_VFIO_IOAS_SET, ioas);
        t.VfioSetIommu("set_iommu", type);
        return (t, buffer, ioas);
    }

    private Trace CompatSimpleClose(string variant, uint type)
    {
        (TraceBuilder t, TraceBuffer buffer, _) = CompatFixture("simple-close", variant, type);
        Teardown(t, buffer, SelftestBuffer);
        return t.Build();
    }

    private Trace CompatOptionHugePages(string variant, uint type)
    {
        (TraceBuilder t, TraceBuffer buffer, IoasHandle ioas) = CompatFixture("option-huge-pages", variant, type);
        // val64 before object_id, as the selftest sets them.
        t.Ioctl("get_huge_pages", nameof(Iommufd.IOMMU_OPTION), new Args
        {
            ["option_id"] = Iommufd.IOMMU_OPTION_HUGE_PAGES, ["op"] = Iommufd.IOMMU_OPTION_OP_GET, ["val64"] = 3, ["object_id"] = ioas,
        });
        Teardown(t, buffer, SelftestBuffer);
        return t.Build();
    }

    private Trace CompatGetInfo(string variant, uint type)
    {
        (TraceBuilder t, TraceBuffer buffer, _) = CompatFixture("get-info", variant, type);
        TraceBuffer info = t.Alloc("info", Page);

        // ioctl_check_buf: the struct {.argsz = argsz}, 0xAA from argsz on, the call, the bytes read back.
        void Call(int argsz, string label)
        {
            byte[] bytes = Enumerable.Repeat((byte)0xAA, InfoWindow).ToArray();
            Array.Clear(bytes, 0, Math.Min(argsz, 24));
            BitConverter.TryWriteBytes(bytes, argsz);
            t.Write(info, 0, bytes);
            t.IoctlValue(label, nameof(Vfio.VFIO_IOMMU_GET_INFO), info.At(0));
            t.Read($"{label}_bytes", info, 0, InfoWindow);
        }

        Call(16, "pre_cap");
        Call(24, "chain_size");
        for (int argsz = 24; argsz < InfoChainLength; argsz++)
            Call(argsz, $"argsz_{argsz}");
        // Beyond the selftest: below the total, cap_offset stays 0, so its chain check never runs; the whole
        // chain is read here.
        Call(InfoChainLength, "whole_chain");
        Teardown(t, buffer, SelftestBuffer);
        return t.Build();
    }

    private Trace CompatMap(string variant, uint type)
    {
        (TraceBuilder t, TraceBuffer buffer, _) = CompatFixture("map", variant, type);

        // size before iova, as the selftest sets them.
        void Map(string label, TraceValue vaddr, ulong size, ulong iova) =>
            t.Ioctl(label, nameof(Vfio.VFIO_IOMMU_MAP_DMA), new Args { ["flags"] = DmaRw, ["vaddr"] = vaddr, ["size"] = size, ["iova"] = iova });
        void Unmap(string label, ulong size, ulong iova, uint? flags = null) =>
            t.Ioctl(label, nameof(Vfio.VFIO_IOMMU_UNMAP_DMA), new Args { ["size"] = size, ["iova"] = iova }.With("flags", flags));

        Map("map", buffer.At(0), SelftestBuffer, Base);
        Unmap("unmap", SelftestBuffer, Base);
        Unmap("unmap_empty", SelftestBuffer, Base);
        Map("map_again", buffer.At(0), SelftestBuffer, Base);
        Unmap("unmap_all_with_range", SelftestBuffer, Base, Vfio.VFIO_DMA_UNMAP_FLAG_ALL);
        Unmap("unmap_all", 0, 0, Vfio.VFIO_DMA_UNMAP_FLAG_ALL);
        const int Pages = (int)(SelftestBuffer / Page);
        for (int k = 0; k < Pages; k++)
            Map($"map_page_{k}", buffer.At((ulong)k * Page), Page, Base + (ulong)k * Page);
        foreach (int k in GlibcRand.Shuffle(Enumerable.Range(0, Pages)))
            Unmap($"unmap_page_{k}", Page, Base + (ulong)k * Page);
        Teardown(t, buffer, SelftestBuffer);
        return t.Build();
    }

    // huge_map: 2 * HUGEPAGE_SIZE mapped at MOCK_APERTURE_START, then 16 unmaps of a sixteenth each in the
    // shuffled order. Type1 (large pages off) cuts the mapping into the pieces; type1v2 refuses every
    // piece (ENOENT). As 6.12 writes it on MAP_HUGETLB | MAP_POPULATE memory, and beyond the selftest on
    // an ordinary (4 KiB page) buffer.
    private Trace CompatHugeMap(string @case, string variant, uint type, bool hugetlb)
    {
        (TraceBuilder t, TraceBuffer buffer, _) = CompatFixture(@case, variant, type);
        TraceBuffer buf = hugetlb ? t.AllocHugetlb("buf", HugeMapLength) : t.Alloc("buf", HugeMapLength);
        t.Ioctl("map", nameof(Vfio.VFIO_IOMMU_MAP_DMA), new Args { ["flags"] = DmaRw, ["vaddr"] = buf.At(0), ["size"] = HugeMapLength, ["iova"] = Base });
        const ulong Piece = HugeMapLength / 16;
        foreach (int k in GlibcRand.Shuffle(Enumerable.Range(0, 16)))
            t.VfioIommuUnmapDma($"unmap_piece_{k}", Base + (ulong)k * Piece, Piece);
        Teardown(t, buffer, SelftestBuffer);
        return t.Build();
    }
}
