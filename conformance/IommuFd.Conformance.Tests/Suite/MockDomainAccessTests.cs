using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 selftests' access cases with a mock domain (virtio VM on the kernel side):
/// iommufd_ioas access_pin and access_domain_destory (without MAP_HUGETLB), iommufd_mock_domain
/// user_copy, from conformance/traces/mockdomain (MockDomainTraces).</summary>
public sealed class MockDomainAccessTests(BackendKind backend) : MockDomainFixture(backend)
{
    [Test]
    public void AccessPin()
    {
        var r = Replay("mockdomain/access-pin");
        Assert.Multiple(() =>
        {
            Succeeds(r["create_access"]);
            AllSucceed(r, from: "map_1");
            // Item IDs count up per access and are never reused: 4 pins per round.
            FieldIs(r["pin_1"], "access_pages.out_access_pages_id", 0);
            FieldIs(r["pin_15"], "access_pages.out_access_pages_id", 16);
        });
    }

    [Test]
    public void AccessDomainDestroy()
    {
        var r = Replay("mockdomain/access-domain-destroy");
        Assert.Multiple(() => AllSucceed(r, from: "ioas"));
    }

    [Test]
    public void UserCopy()
    {
        var r = Replay("mockdomain/user-copy");
        Assert.Multiple(() =>
        {
            AllSucceed(r, from: "ioas", except: ["pin_dropped_by_replace"]);
            Fails(r["pin_dropped_by_replace"], Errno.ENOENT); // replacing the IOAS dropped the pin
        });
    }
}
