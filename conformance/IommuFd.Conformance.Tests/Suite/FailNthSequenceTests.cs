using IommuFd.Conformance.Tests.Support;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The call sequences of 6.12 <c>iommufd_fail_nth.c</c>, run once without fault injection
/// (the fault sweep itself checks kernel integrity, which has no counterpart in a model).</summary>
public sealed class FailNthSequenceTests(string backend) : BackendFixture(backend)
{
    [Test]
    public void Basic()
    {
        var r = Replay("failnth/basic");
        Succeeds(r[3]);
        FieldIs(r[3], "num_iovas", 1);
        Succeeds(r[5]);
        Succeeds(r[6]);
        FieldIs(r[6], "iova", 0x10000);   // 64 KiB aligned inside the allowed range from 16 KiB
        Succeeds(r[7]);
        FieldIs(r[7], "dst_iova", 0x4000); // 160 bytes: 256-byte alignment, the first allowed hole
        Succeeds(r[8]);
        FieldIs(r[8], "length", 16 * TestEnv.PageSize);
        Fails(r[9], Errno.ENOENT);
    }
}
