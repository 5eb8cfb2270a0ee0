using IommuFd.Conformance.Tests.Support;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 selftests' access cases with a mock domain (virtio VM on the kernel side):
/// iommufd_ioas access_pin and access_domain_destory (without MAP_HUGETLB), iommufd_mock_domain
/// user_copy, from conformance/traces/mockdomain (step numbers printed by tracegen.py).</summary>
public sealed class MockDomainAccessTests(BackendKind backend) : MockDomainFixture(backend)
{
    [Test]
    public void AccessPin()
    {
        var r = Replay("mockdomain/access-pin");
        Assert.Multiple(() =>
        {
            Succeeds(r[18]);
            for (int step = 19; step < r.Count; step++)
                Assert.That(r[step].Errno, Is.EqualTo(0), () => $"step {step}: {r[step]}");
            // Item IDs count up per access and are never reused: 4 pins per round.
            FieldIs(r[20], "access_pages.out_access_pages_id", 0);
            FieldIs(r[92], "access_pages.out_access_pages_id", 16);
        });
    }

    [Test]
    public void AccessDomainDestroy()
    {
        var r = Replay("mockdomain/access-domain-destroy");
        Assert.Multiple(() =>
        {
            for (int step = 5; step < r.Count; step++)
                Assert.That(r[step].Errno, Is.EqualTo(0), () => $"step {step}: {r[step]}");
        });
    }

    [Test]
    public void UserCopy()
    {
        var r = Replay("mockdomain/user-copy");
        Assert.Multiple(() =>
        {
            for (int step = 17; step < r.Count; step++)
                if (step != 30)
                    Assert.That(r[step].Errno, Is.EqualTo(0), () => $"step {step}: {r[step]}");
            Fails(r[30], Errno.ENOENT); // replacing the IOAS dropped the pin
        });
    }
}
