using IommuFd.Conformance.Traces.Building;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// mockdomain/failnth: the fail-nth sequences with mock domains, swept by FailNthSweepTests with the kernel
// in the virtio VM (docs/fail-nth.md): attaching a domain, mapping into it (pinning), filling a new domain
// from existing areas, replacing and detaching, pinning through an access under a domain.
public sealed partial class MockDomainTraces
{
    private IEnumerable<Trace> FailNthTraces() =>
        [FailNthAttachMapUnmap(), FailNthDevice(), FailNthFillAndReplace(), FailNthAccessPinDomain(), FailNthMapTwoDomains()];

    private Trace FailNthAttachMapUnmap()
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture("failnth/attach-map-unmap");
        MockDomainHandle m = t.TestMockDomain("attach", ioas);
        t.IoasMapFixed("map_pinned", ioas, a.At(0), 16 * Page, Base);
        t.IoasMap("map_auto_pinned", ioas, a.AtHex(0x4000), 2 * Page);
        t.IoasUnmap("unmap", ioas, Base, 16 * Page);
        t.Destroy("detach", m.StdevId);
        t.IoasUnmap("unmap_all", ioas, 0, U64Max);
        return t.Build();
    }

    private Trace FailNthDevice()
    {
        (TraceBuilder t, _, IoasHandle ioas) = Fixture("failnth/device", 4);
        IoasHandle ioas2 = t.IoasAlloc("ioas2");
        TraceBuffer h = t.Alloc("h", Page);
        MockDomainHandle m = t.TestMockDomain("attach", ioas);
        t.GetHwInfo("hw_info", m.IdevId, 8, h.At(0));
        HwptHandle hwpt = HwptAlloc(t, "hwpt_alloc", m.IdevId, ioas);
        t.TestMockDomainReplace("replace_to_ioas2", m.StdevId, ioas2);
        t.TestMockDomainReplace("replace_to_hwpt", m.StdevId, hwpt);
        t.Destroy("detach", m.StdevId);
        t.Destroy("destroy_hwpt", hwpt);
        return t.Build();
    }

    private Trace FailNthFillAndReplace()
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture("failnth/fill-and-replace", 8);
        IoasHandle ioas2 = t.IoasAlloc("ioas2");
        t.IoasMapFixed("map_before_attach", ioas, a.At(0), 8 * Page, Base);
        MockDomainHandle m = t.TestMockDomain("attach_fills_domain", ioas);
        t.TestMockDomainReplace("replace_to_empty_ioas", m.StdevId, ioas2);
        t.TestMockDomainReplace("replace_back", m.StdevId, ioas);
        t.Destroy("detach", m.StdevId);
        t.IoasUnmap("unmap_all", ioas, 0, U64Max);
        return t.Build();
    }

    // basic_fail_nth.access_pin_domain: pinning through an access while a mock domain holds the pages.
    private Trace FailNthAccessPinDomain()
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture("failnth/access-pin-domain");
        t.TestMemoryLimit("memory_limit", 32);
        MockDomainHandle m = t.TestMockDomain("mock_domain", ioas);
        StepHandle map = t.IoasMap("map", ioas, a.At(0), 16 * Page);
        FdHandle access = t.TestCreateAccess("create_access", ioas, NeedsPin);
        AccessPagesHandle pin = t.TestAccessPages("pin", access.Fd, map.Out("iova"), 16 * Page, a.At(0), 0);
        t.TestDestroyAccessPages("unpin", access.Fd, pin.PagesId);
        t.Close("destroy_access", access.Fd);
        t.Destroy("detach", m.StdevId);
        t.TestMemoryLimit("memory_limit_default", DefaultMemoryLimit);
        return t.Build();
    }

    // basic_fail_nth.map_two_domains: a second device joins the first one's automatic domain, 64 pages are
    // mapped into it, both devices go and come back. An injected fault the kernel absorbs inside the second
    // attach makes it allocate a domain of its own (the call still succeeds, with another HWPT id); the
    // engine cannot see that, so FailNthSweepTests checks only the kernel side of those runs (docs/fail-nth.md).
    private Trace FailNthMapTwoDomains()
    {
        (TraceBuilder t, TraceBuffer a, IoasHandle ioas) = Fixture("failnth/map-two-domains", 64);
        t.TestMemoryLimit("memory_limit", 32);
        MockDomainHandle first = t.TestMockDomain("attach_first", ioas);
        MockDomainHandle second = t.TestMockDomain("attach_second", ioas);
        t.IoasMap("map", ioas, a.At(0), 64 * Page);
        t.Destroy("detach_first", first.StdevId);
        t.Destroy("detach_second", second.StdevId);
        MockDomainHandle firstAgain = t.TestMockDomain("attach_first_again", ioas);
        MockDomainHandle secondAgain = t.TestMockDomain("attach_second_again", ioas);
        t.Destroy("detach_second_again", secondAgain.StdevId);
        t.Destroy("detach_first_again", firstAgain.StdevId);
        t.TestMemoryLimit("memory_limit_default", DefaultMemoryLimit);
        return t.Build();
    }
}
