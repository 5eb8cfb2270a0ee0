using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The call sequences of 6.12 <c>iommufd_fail_nth.c</c>, run once without fault injection
/// (the fault sweep itself checks kernel integrity, which has no counterpart in a model).</summary>
public sealed class FailNthSequenceTests(BackendKind backend) : ConformanceFixture(backend)
{
    [Test]
    public void Basic()
    {
        var r = Replay("failnth/basic");
        Succeeds(r["ranges"]);
        FieldIs(r["ranges"], "num_iovas", 1);
        Succeeds(r["allow"]);
        Succeeds(r["map"]);
        bool thp = TestEnv.TransparentHugePages;
        FieldIs(r["map"], "iova", thp ? 0x10000UL : 0x4000); // 64 KiB aligned with THP, else the allowed start
        Succeeds(r["copy"]);
        FieldIs(r["copy"], "dst_iova", thp ? 0x4000UL : 0x14000); // 160 bytes, 256-byte aligned: the first free allowed hole
        Succeeds(r["unmap"]);
        FieldIs(r["unmap"], "length", 16 * TestEnv.PageSize);
        Fails(r["unmap_again"], Errno.ENOENT);
    }
}
