using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

/// <summary>traces/selftest: the cases of 6.12 <c>tools/testing/selftests/iommu/iommufd.c</c> that need no
/// mock device, fixture by fixture (iommufd, iommufd_ioas in its no_domain variant, the access ops).</summary>
public sealed partial class SelftestTraces : TraceCatalogue
{
    /// <summary>iommufd_ioas's base_iova in the no_domain variant.</summary>
    private const ulong FixtureBase = 0;

    /// <inheritdoc />
    public override string Folder => "selftest";

    /// <inheritdoc />
    public override IEnumerable<Trace> Traces() =>
    [
        SimpleClose(), CmdFail(), CmdExFail(), GlobalOptions(), SimpleIoctls(), UnmapCmd(), MapCmd(), InfoCmd(),
        SetIommuCmd(), VfioIoasCmd(),
        AccessDomainDestroyHugetlb(), AutoDestroy(), Destroy(), AreaDestroy(), AreaAutoDestroy(), Area(),
        UnmapFullyContained(), AreaAutoIova(), AreaAutoIovaReserved(), ReservedOverflow(), AreaAllowed(), CopyArea(), IovaRanges(),
        IovaRangesReserved(), OptionHugePages(), AlignChange(), CopySweep(),
        AllocHwptNestedNoDevice(), HwptAttachNoDevice(), GetHwInfoNoDevice(),
        AccessRw(), AccessRwUnaligned(), AccessPinUnmap(), AccessErrors(),
        .. MockDomainTraces.NoViommuTraces(New),
    ];

    // ---- fixture iommufd

    private Trace SimpleClose()
    {
        TraceBuilder t = New("iommufd-simple-close");
        FdHandle open = t.Open("open");
        t.Close("close", open.Fd);
        return t.Build();
    }

    private Trace CmdFail()
    {
        TraceBuilder t = New("iommufd-cmd-fail");
        TraceBuffer a = t.Alloc("a", Page);
        t.Destroy("destroy_id0", 0);
        t.IoctlValue("destroy_null", nameof(Iommufd.IOMMU_DESTROY), 0);
        t.IoctlValue("nr_7f", "0x3B7F", a.At(0));
        t.IoctlValue("type_x_nr_7f", "0x587F", a.At(0));
        t.IoctlValue("table_hole", "0x3B8F", a.At(0));
        t.IoctlValue("table_hole_null", "0x3B8F", 0);
        t.IoctlValue("iowr_destroy", "0xC0083B80", a.At(0));
        t.IoctlValue("beyond_table_null", "0x3BFF", 0);
        return t.Build();
    }

    private Trace CmdExFail()
    {
        TraceBuilder t = New("iommufd-cmd-ex-fail");
        t.Ioctl("zero_tail", nameof(Iommufd.IOMMU_DESTROY), new Args { ["id"] = 0 }, tail: new byte[8]);
        t.Ioctl("nonzero_tail", nameof(Iommufd.IOMMU_DESTROY), new Args { ["id"] = 0 }, tail: [0, 0, 0, 0, 0, 0, 0, 1]);
        t.Destroy("exact", 0);
        t.Destroy("short", 0, extra: new Args { ["size"] = 7 });
        return t.Build();
    }

    private Trace GlobalOptions()
    {
        TraceBuilder t = New("iommufd-global-options");
        const uint rlimit = Iommufd.IOMMU_OPTION_RLIMIT_MODE, huge = Iommufd.IOMMU_OPTION_HUGE_PAGES;
        const uint set = Iommufd.IOMMU_OPTION_OP_SET, get = Iommufd.IOMMU_OPTION_OP_GET;
        t.Option("rlimit_get", rlimit, get, 0, 1);
        t.Option("rlimit_set_1", rlimit, set, 0, 1);
        t.Option("rlimit_set_2", rlimit, set, 0, 2);
        t.Option("rlimit_get_again", rlimit, get, 0, 0);
        t.Option("rlimit_set_0", rlimit, set, 0, 0);
        t.Option("huge_get_no_object", huge, get, 0, 0);
        t.Option("huge_set_no_object", huge, set, 0, 0);
        return t.Build();
    }

    private Trace SimpleIoctls()
    {
        TraceBuilder t = New("iommufd-simple-ioctls");
        t.VfioGetApiVersion("api_version");
        t.VfioCheckExtension("type1v2", Vfio.VFIO_TYPE1v2_IOMMU);
        return t.Build();
    }

    private Trace UnmapCmd()
    {
        TraceBuilder t = New("iommufd-unmap-cmd");
        t.Ioctl("argsz_1", nameof(Vfio.VFIO_IOMMU_UNMAP_DMA), new Args { ["iova"] = Base, ["size"] = Page, ["argsz"] = 1 });
        t.VfioIommuUnmapDma("bad_flags", Base, Page, flags: 1u << 31);
        t.VfioIommuUnmapDma("no_compat_ioas", Base, Page);
        return t.Build();
    }

    private Trace MapCmd()
    {
        TraceBuilder t = New("iommufd-map-cmd");
        TraceBuffer a = t.Alloc("a", 16 * Page);
        // The selftest sets argsz and flags after the addresses.
        Args Map(string field, TraceValue value) =>
            new Args { ["vaddr"] = a.At(0), ["iova"] = Base, ["size"] = Page, [field] = value };
        t.Ioctl("argsz_1", nameof(Vfio.VFIO_IOMMU_MAP_DMA), Map("argsz", 1));
        t.Ioctl("bad_flags", nameof(Vfio.VFIO_IOMMU_MAP_DMA), Map("flags", 1u << 31));
        t.Ioctl("no_compat_ioas", nameof(Vfio.VFIO_IOMMU_MAP_DMA), Map("flags", DmaRw));
        return t.Build();
    }

    private Trace InfoCmd()
    {
        TraceBuilder t = New("iommufd-info-cmd");
        t.VfioIommuGetInfo("argsz_1", argsz: 1);
        t.VfioIommuGetInfo("no_compat_ioas");
        return t.Build();
    }

    private Trace SetIommuCmd()
    {
        TraceBuilder t = New("iommufd-set-iommu-cmd");
        t.VfioSetIommu("type1v2", Vfio.VFIO_TYPE1v2_IOMMU);
        t.VfioSetIommu("type1", Vfio.VFIO_TYPE1_IOMMU);
        return t.Build();
    }

    private Trace VfioIoasCmd()
    {
        TraceBuilder t = New("iommufd-vfio-ioas");
        t.VfioIoas("get_none", Iommufd.IOMMU_VFIO_IOAS_GET);
        t.VfioIoas("set_id0", Iommufd.IOMMU_VFIO_IOAS_SET);
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.VfioIoas("set", Iommufd.IOMMU_VFIO_IOAS_SET, ioas);
        t.VfioIoas("get", Iommufd.IOMMU_VFIO_IOAS_GET);
        t.VfioIoas("clear", Iommufd.IOMMU_VFIO_IOAS_CLEAR);
        t.VfioIoas("get_after_clear", Iommufd.IOMMU_VFIO_IOAS_GET);
        return t.Build();
    }
}
