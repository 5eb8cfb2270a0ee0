using IommuFd.Conformance.Tests.Support;
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
        Succeeds(r[3]);
        FieldIs(r[3], "num_iovas", 1);
        Succeeds(r[5]);
        Succeeds(r[6]);
        bool thp = TestEnv.TransparentHugePages;
        FieldIs(r[6], "iova", thp ? 0x10000UL : 0x4000); // 64 KiB aligned with THP, else the allowed start
        Succeeds(r[7]);
        FieldIs(r[7], "dst_iova", thp ? 0x4000UL : 0x14000); // 160 bytes, 256-byte aligned: the first free allowed hole
        Succeeds(r[8]);
        FieldIs(r[8], "length", 16 * TestEnv.PageSize);
        Fails(r[9], Errno.ENOENT);
    }
}
