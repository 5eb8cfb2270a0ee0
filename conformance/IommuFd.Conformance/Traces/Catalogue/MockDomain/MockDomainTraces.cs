using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

/// <summary>traces/mockdomain: the traces that create mock devices and mock domains. The 6.12 test kernel
/// gives them only under virtio-iommu, so MockDomainDifferentialTests replays them in the virtio VM. One
/// file per selftest fixture or family (MockDomainTraces.*.cs); this one lists them and holds what they
/// share.</summary>
public sealed partial class MockDomainTraces : TraceCatalogue
{
    /// <inheritdoc />
    public override string Folder => "mockdomain";

    /// <inheritdoc />
    public override IEnumerable<Trace> Traces() =>
    [
        .. DeviceTraces(), .. MockDomainFixtureTraces(), .. VfioCompatTraces(), .. FailNthTraces(), .. NestedTraces(),
        .. FaultQueueTraces(), .. AccessTraces(), .. DirtyTraces(), .. DirtyEdgeTraces(), .. ForkTraces(), .. IoasVariantTraces(),
        .. ViommuTraces(),
    ];

    /// <summary>MOCK_PAGE_SIZE: the mock domain's IO page, half a CPU page.</summary>
    private const ulong MockPage = Page / 2;

    /// <summary>The selftests' global buffer (BUFFER_SIZE).</summary>
    private const ulong SelftestBuffer = 16 * Page;

    /// <summary>Below mmap_min_addr: never mapped in any process.</summary>
    private const ulong UnmappedVa = 0x1000;

    /// <summary>7.3 has no MOCK_FLAGS_DEVICE_HUGE_IOVA (its huge IO pages are a page-table type of HWPT_ALLOC),
    /// so the traces built on such a device apply to the kernels before it.</summary>
    private static readonly KernelRange Before73 = KernelRange.Parse("<7.3");

    /// <summary>A trace with <paramref name="pages"/> pages of buffer "a", each touched, and an IOAS.</summary>
    private (TraceBuilder T, TraceBuffer A, IoasHandle Ioas) Fixture(string name, int pages = 16)
    {
        TraceBuilder t = New(name);
        TraceBuffer a = t.Alloc("a", (ulong)pages * Page);
        t.Touch(a, pages);
        return (t, a, t.IoasAlloc("ioas"));
    }

    /// <summary>IOMMU_HWPT_ALLOC as the selftests call it: flags always written.</summary>
    private static HwptHandle HwptAlloc(TraceBuilder t, string label, TraceValue dev, TraceValue pt, uint flags = 0,
                                        TraceValue? dataType = null, TraceValue? dataLen = null, TraceValue? dataUptr = null,
                                        TraceValue? faultId = null) =>
        t.HwptAlloc(label, flags, dev, pt, dataType, dataLen, dataUptr, faultId);

    /// <summary>teardown_iommufd: closes the fixture's fd, then a fresh fd finds no page of the buffer pinned.</summary>
    internal static void Teardown(TraceBuilder t, TraceBuffer buffer, ulong length)
    {
        t.Close("teardown_close", TraceFd.Default);
        FdHandle fresh = t.Open("teardown_open");
        t.TestCheckRefs("teardown_refs", buffer.At(0), length, 0, fresh.Fd);
    }

    /// <summary>IOMMU_IOAS_ALLOW_IOVAS of the ranges written to buffer <paramref name="ranges"/> first.</summary>
    private static StepHandle AllowIovas(TraceBuilder t, string label, IoasHandle ioas, TraceBuffer ranges, ulong start, ulong last, int count = 1)
    {
        t.Write(ranges, 0, Ranges((start, last)));
        return t.IoasAllowIovas(label, ioas, count, ranges.At(0));
    }

    private const uint NoDirty = IommufdTest.MOCK_FLAGS_DEVICE_NO_DIRTY, HugeIova = IommufdTest.MOCK_FLAGS_DEVICE_HUGE_IOVA;
    private const uint NestParent = Iommufd.IOMMU_HWPT_ALLOC_NEST_PARENT, FaultIdValid = Iommufd.IOMMU_HWPT_FAULT_ID_VALID;
    private const uint DirtyTracking = Iommufd.IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
    private const uint NeedsPin = IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;
    private const uint RwWrite = IommufdTest.MOCK_ACCESS_RW_WRITE, RwSlow = IommufdTest.MOCK_ACCESS_RW_SLOW_PATH;
}
