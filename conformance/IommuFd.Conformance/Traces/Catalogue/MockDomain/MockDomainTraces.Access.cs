using IommuFd.Conformance.Traces.Building;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// The selftests' access cases with a mock domain (MockDomainAccessTests): iommufd_ioas access_pin and
// access_domain_destory (without MAP_HUGETLB), iommufd_mock_domain user_copy.
public sealed partial class MockDomainTraces
{
    private IEnumerable<Trace> AccessTraces() => [AccessPin(), UserCopy(), AccessDomainDestroy()];

    // access_pin of the selftest (npages sampled): pin with and without a double user, a domain added and
    // removed under a pin, MD_CHECK_MAP through the domain, refs counted once.
    private Trace AccessPin()
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture("access-pin");
        FdHandle access = t.TestCreateAccess("create_access", ioas, NeedsPin);
        foreach (ulong n in new ulong[] { 1, 2, 3, 8, 15 })
            AccessPinRound(t, access, ioas, a, n, countRefs: true);
        t.TestCheckRefs("refs_end", a.At(0), 16 * Page, 0);
        t.Close("destroy_access", access.Fd);
        return t.Build();
    }

    /// <summary>One round of access_pin with <paramref name="pages"/> pages: a pin, a double pin, a pin with a mock
    /// domain added and removed under it (MD_CHECK_MAP through it); with <paramref name="countRefs"/> (beyond the
    /// selftest) the pins are counted at each stage too.</summary>
    private static void AccessPinRound(TraceBuilder t, FdHandle access, IoasHandle ioas, TraceBuffer a, ulong pages, bool countRefs)
    {
        ulong length = pages * Page;
        t.IoasMapFixed($"map_{pages}", ioas, a.At(0), 16 * Page, Base);
        AccessPagesHandle pin = t.TestAccessPages($"pin_{pages}", access.Fd, Base, length, a.At(0), 0);
        if (countRefs)
            t.TestCheckRefs($"refs_{pages}", a.At(0), length, 1);
        t.TestDestroyAccessPages($"unpin_{pages}", access.Fd, pin.PagesId);
        AccessPagesHandle double1 = t.TestAccessPages($"double_1_{pages}", access.Fd, Base, length, a.At(0), 0);
        AccessPagesHandle double2 = t.TestAccessPages($"double_2_{pages}", access.Fd, Base, length, a.At(0), 0);
        t.TestCheckRefs($"refs_double_{pages}", a.At(0), length, 1);
        t.TestDestroyAccessPages($"undouble_2_{pages}", access.Fd, double2.PagesId);
        t.TestDestroyAccessPages($"undouble_1_{pages}", access.Fd, double1.PagesId);
        if (countRefs)
            t.TestCheckRefs($"refs_none_{pages}", a.At(0), length, 0);
        AccessPagesHandle withDomain = t.TestAccessPages($"pin_with_domain_{pages}", access.Fd, Base, length, a.At(0), 0);
        MockDomainHandle m = t.TestMockDomain($"mock_domain_{pages}", ioas);
        t.TestCheckMap($"check_map_{pages}", m.HwptId, Base, 16 * Page, a.At(0));
        if (countRefs)
            t.TestCheckRefs($"refs_domain_{pages}", a.At(0), length, 1);
        t.Destroy($"detach_{pages}", m.StdevId);
        if (countRefs)
            t.TestCheckRefs($"refs_after_detach_{pages}", a.At(0), length, 1);
        t.TestDestroyAccessPages($"unpin_after_detach_{pages}", access.Fd, withDomain.PagesId);
        t.IoasUnmap($"unmap_{pages}", ioas, Base, 16 * Page);
    }

    // iommufd_mock_domain.user_copy: pin in an IOAS without domains, COPY into the IOAS with the mock
    // domain, replace the access's IOAS, and again.
    private Trace UserCopy()
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture("user-copy");
        MockDomainHandle m = t.TestMockDomain("mock_domain", ioas);
        IoasHandle src = t.IoasAlloc("src_ioas");
        StepHandle srcMap = t.IoasMap("map_src", src, a.At(0), 16 * Page);
        FdHandle access = t.TestCreateAccess("create_access", src, NeedsPin);
        AccessPagesHandle pin = t.TestAccessPages("pin_src", access.Fd, srcMap.Out("iova"), 16 * Page, a.At(0), 0);
        t.TestCheckRefs("refs_pinned", a.At(0), 16 * Page, 1);
        CopyToBase(t, "copy", ioas, src, 16 * Page, srcMap.Out("iova"));
        t.TestCheckRefs("refs_after_copy", a.At(0), 16 * Page, 1);
        t.TestCheckMap("check_map", m.HwptId, Base, 16 * Page, a.At(0));
        IoasHandle next = t.IoasAlloc("new_ioas");
        StepHandle nextMap = t.IoasMap("map_new", next, a.At(0), 16 * Page);
        t.TestAccessReplaceIoas("replace_ioas", access.Fd, next);
        t.TestDestroyAccessPages("pin_dropped_by_replace", access.Fd, pin.PagesId);
        t.IoasUnmap("unmap_copy", ioas, Base, 16 * Page);
        t.Destroy("destroy_src", src);
        AccessPagesHandle pinNew = t.TestAccessPages("pin_new", access.Fd, nextMap.Out("iova"), 16 * Page, a.At(0), 0);
        CopyToBase(t, "copy_again", ioas, next, 16 * Page, nextMap.Out("iova"));
        t.TestCheckMap("check_map_again", m.HwptId, Base, 16 * Page, a.At(0));
        t.TestCheckRefs("refs_shared_pages", a.At(0), 16 * Page, 1);
        t.TestDestroyAccessPages("unpin", access.Fd, pinNew.PagesId);
        t.Close("destroy_access", access.Fd);
        t.Destroy("destroy_new", next);
        return t.Build();
    }

    // access_domain_destory without MAP_HUGETLB: a pin in the middle of the mapping survives the domain's
    // destruction, which unpins the domain's share only.
    private Trace AccessDomainDestroy()
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture("access-domain-destroy", 4);
        MockDomainHandle m = t.TestMockDomain("mock_domain", ioas);
        t.IoasMapFixed("map", ioas, a.At(0), 4 * Page, Base);
        FdHandle access = t.TestCreateAccess("create_access", ioas, NeedsPin);
        AccessPagesHandle pin = t.TestAccessPages("pin", access.Fd, Base + Page, Page, a.At(4096), 0);
        t.TestCheckRefs("refs_domain_and_pin", a.At(0), 4 * Page, 1);
        t.Destroy("destroy_domain", m.StdevId);
        t.TestCheckRefs("refs_pin_only", a.At(4096), Page, 1);
        t.TestCheckRefs("refs_unpinned", a.At(8192), Page, 0);
        t.TestDestroyAccessPages("unpin", access.Fd, pin.PagesId);
        t.Close("destroy_access", access.Fd);
        t.TestCheckRefs("refs_none", a.At(0), 4 * Page, 0);
        return t.Build();
    }
}
