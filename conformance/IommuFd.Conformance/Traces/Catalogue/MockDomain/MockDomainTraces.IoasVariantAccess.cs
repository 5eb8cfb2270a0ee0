using IommuFd.Conformance.Traces.Building;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// The access cases of iommufd_ioas under the mock-domain variants (MockDomainTraces.IoasVariants.cs): the
// access reads, writes and pins through the IOAS's domains.
public sealed partial class MockDomainTraces
{
    // Without MAP_HUGETLB: the selftest buffer stands in for the huge pages.
    private static void VariantAccessDomainDestroy(IoasVariantFixture fx)
    {
        (TraceBuilder t, IoasHandle ioas, TraceBuffer a) = (fx.T, fx.Ioas, fx.Buffer);
        t.IoasMapFixed("map", ioas, a.At(0), 16 * Page, Base);
        FdHandle access = t.TestCreateAccess("create_access", ioas, NeedsPin);
        AccessPagesHandle pin = t.TestAccessPages("pin", access.Fd, Base + Page, Page, a.At(4096), 0);
        t.TestCheckRefs("refs_domain_and_pin", a.At(0), 16 * Page, 1);
        t.Destroy("destroy_stdev", fx.Device.StdevId); // the last device: two_mock_domain keeps a domain
        t.TestCheckRefs("refs_pinned_page", a.At(4096), Page, 1);
        t.TestCheckRefs("refs_other_page", a.At(8192), Page, fx.Domains == 2 ? 1 : 0);
        t.TestDestroyAccessPages("unpin", access.Fd, pin.PagesId);
        t.Close("destroy_access", access.Fd);
    }

    // access_domain_destory as 6.12 writes it: 2 * HUGEPAGE_SIZE of MAP_HUGETLB memory at base_iova, a
    // one-page pin at its second page, the device destroyed ("a complicated unpin across a huge page
    // boundary"), the pin released. MD_CHECK_REFS passes on huge pages whatever the count.
    private static void VariantAccessDomainDestroyHugetlb(IoasVariantFixture fx)
    {
        (TraceBuilder t, IoasHandle ioas) = (fx.T, fx.Ioas);
        TraceBuffer huge = t.AllocHugetlb("huge", 2 * HugePage, "alloc_huge");
        t.IoasMapFixed("map", ioas, huge.At(0), 2 * HugePage, Base);
        FdHandle access = t.TestCreateAccess("create_access", ioas, NeedsPin);
        AccessPagesHandle pin = t.TestAccessPages("pin", access.Fd, Base + Page, Page, huge.At(4096), 0);
        t.TestCheckRefs("refs_compound", huge.At(0), 2 * HugePage, 1);
        t.Destroy("destroy_stdev", fx.Device.StdevId);
        t.TestDestroyAccessPages("unpin", access.Fd, pin.PagesId);
        t.Close("destroy_access", access.Fd);
        t.IoasUnmap("unmap", ioas, Base, 2 * HugePage);
    }

    // npages sampled (the selftest: 1..15); the domain added under the pin joins the automatic HWPT.
    private static void VariantAccessPin(IoasVariantFixture fx)
    {
        (TraceBuilder t, IoasHandle ioas, TraceBuffer a) = (fx.T, fx.Ioas, fx.Buffer);
        FdHandle access = t.TestCreateAccess("create_access", ioas, NeedsPin);
        foreach (ulong n in new ulong[] { 1, 2, 3, 8, 15 })
            AccessPinRound(t, access, ioas, a, n, countRefs: false);
        t.TestCheckRefs("refs_end", a.At(0), 16 * Page, 0);
        t.Close("destroy_access", access.Fd);
    }

    private static void VariantAccessPinUnmap(IoasVariantFixture fx)
    {
        (TraceBuilder t, IoasHandle ioas, TraceBuffer a) = (fx.T, fx.Ioas, fx.Buffer);
        FdHandle access = t.TestCreateAccess("create_access", ioas, NeedsPin);
        t.IoasMapFixed("map", ioas, a.At(0), 16 * Page, Base);
        AccessPagesHandle pin = t.TestAccessPages("access_pages", access.Fd, Base, 16 * Page, a.At(0), 0);
        t.IoasUnmap("unmap_notifies", ioas, Base, 16 * Page);
        t.TestDestroyAccessPages("destroy_pages_gone", access.Fd, pin.PagesId);
        t.TestCheckRefs("refs_unpinned", a.At(0), 16 * Page, 0);
        t.Close("destroy_access", access.Fd);
    }

    // check_access_rw's buffers: "b" is the selftest buffer here, "t" the user side of small transfers, "u"
    // of the multi-page read.
    private static void VariantAccessRw(IoasVariantFixture fx, ulong iova, bool fixedIova)
    {
        (TraceBuilder t, IoasHandle ioas, TraceBuffer b) = (fx.T, fx.Ioas, fx.Buffer);
        TraceBuffer user = t.Alloc("t", Page);
        TraceBuffer multi = t.Alloc("u", 4 * Page);
        for (int p = 0; p < 4; p++)
            t.Write(b, (ulong)p * Page + Page - 128, Pattern(256, p));
        FdHandle access = t.TestCreateAccess("create_access", ioas, 0);
        if (fixedIova)
            t.IoasMapFixed("map", ioas, b.At(0), 16 * Page, iova);
        else
            t.IoasMap("map_auto", ioas, b.At(0), 16 * Page); // the first fit: the aperture's start
        SelftestTraces.CheckAccessRw(t, access.Fd, iova, 0, "fast", b, user, multi);
        SelftestTraces.CheckAccessRw(t, access.Fd, iova, RwSlow, "slow", b, user, multi);
        t.IoasUnmap("unmap", ioas, iova, 16 * Page);
        t.Close("destroy_access", access.Fd);
    }
}
