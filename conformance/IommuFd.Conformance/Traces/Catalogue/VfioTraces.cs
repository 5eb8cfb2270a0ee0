using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

/// <summary>traces/vfio: the VFIO type1 compat ioctls on /dev/iommu without a device (VfioCompatTests).</summary>
public sealed class VfioTraces : TraceCatalogue
{
    /// <inheritdoc />
    public override string Folder => "vfio";

    /// <inheritdoc />
    public override IEnumerable<Trace> Traces() => [CompatNoDevice()];

    private Trace CompatNoDevice()
    {
        TraceBuilder t = New("compat-no-device");
        TraceBuffer a = t.Alloc("a", 16 * Page);
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.VfioCheckExtension("dma_cc_no_ioas", Vfio.VFIO_DMA_CC_IOMMU);
        t.VfioIoas("set_compat", Iommufd.IOMMU_VFIO_IOAS_SET, ioas);
        foreach (uint extension in (uint[])[0, 1, 3, 4, 6, 9, 10, 100])
            t.VfioCheckExtension($"ext{extension}", extension);
        t.VfioIommuGetInfo("info_16", argsz: 16);
        t.VfioIommuGetInfo("info_24");
        t.VfioIommuGetInfo("info_48", tail: Filled(24));
        t.VfioIommuGetInfo("info_72", tail: Filled(48));
        t.VfioIommuGetInfo("info_80", tail: Filled(56));
        t.VfioSetIommu("set_iommu_2", Vfio.VFIO_SPAPR_TCE_IOMMU);
        t.VfioSetIommu("set_iommu_v2", Vfio.VFIO_TYPE1v2_IOMMU);
        // A valid map of 16 pages at 1 MiB, and its unmap, one field changed.
        void Map(string label, TraceValue? flags = null, TraceValue? iova = null, TraceValue? size = null) =>
            t.VfioIommuMapDma(label, flags ?? DmaRw, a.At(0), iova ?? 0x100000, size ?? 16 * Page);
        void Unmap(string label, TraceValue? flags = null, TraceValue? iova = null, TraceValue? size = null) =>
            t.VfioIommuUnmapDma(label, iova ?? 0x100000, size ?? 16 * Page, flags);
        const uint all = Vfio.VFIO_DMA_UNMAP_FLAG_ALL;
        Map("map");
        Map("map_overlap");
        Unmap("unmap");
        Unmap("unmap_empty");
        Map("map_no_permission", flags: 0);
        Map("map_vaddr_flag", flags: Vfio.VFIO_DMA_MAP_FLAG_VADDR);
        Map("map_size_0", size: 0);
        Map("map_second", iova: 0x200000, size: Page);
        Unmap("unmap_all_with_range", flags: all);
        Unmap("unmap_all", flags: all, iova: 0, size: 0);
        Unmap("unmap_bad_flag", flags: Vfio.VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP);
        Map("map_v2");
        Unmap("unmap_middle_v2", iova: 0x100000 + 4 * Page, size: Page);
        Unmap("unmap_all_v2", flags: all, iova: 0, size: 0);
        t.VfioSetIommu("set_iommu_v1", Vfio.VFIO_TYPE1_IOMMU);
        t.Option("huge_pages_after_v1", Iommufd.IOMMU_OPTION_HUGE_PAGES, Iommufd.IOMMU_OPTION_OP_GET, ioas);
        Map("map_v1");
        Unmap("unmap_middle_v1", iova: 0x100000 + 4 * Page, size: Page);
        Unmap("unmap_rest_partial_v1", iova: 0x100000, size: 8 * Page);
        Unmap("unmap_all_v1", flags: all, iova: 0, size: 0);
        t.VfioSetIommu("set_iommu_v2_again", Vfio.VFIO_TYPE1v2_IOMMU);
        t.Option("huge_pages_after_v2", Iommufd.IOMMU_OPTION_HUGE_PAGES, Iommufd.IOMMU_OPTION_OP_GET, ioas);
        t.VfioGetApiVersion("api_version");
        t.IoctlValue("dirty_pages", "0x3B75", 0);   // VFIO_IOMMU_DIRTY_PAGES
        t.IoctlValue("iommu_enable", "0x3B73", 0);  // VFIO_IOMMU_ENABLE (SPAPR)
        return t.Build();
    }
}
