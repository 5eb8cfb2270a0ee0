using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Tests.Support;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The struct-extensibility contract for every iommufd ioctl (6.12 selftest <c>cmd_length</c>
/// covers 12 of them; this covers all 15): below the minimum size → EINVAL, a longer struct with a
/// zero tail → exactly the exact-size result, any non-zero byte past sizeof → E2BIG.</summary>
public sealed class ExtensibilityTests(BackendKind backend) : ConformanceFixture(backend)
{
    private static IEnumerable<ExtensibilityCase> Cases => ExtensibilityCase.All;

    [TestCaseSource(nameof(Cases))]
    public void SizeRules(ExtensibilityCase c)
    {
        var r = Replay(SuiteTraces.Extensibility(c));
        Assert.Multiple(() =>
        {
            Fails(r[2], Errno.EINVAL);
            Fails(r[3], Errno.EINVAL);
            if (c.ExactErrno == 0)
                Succeeds(r[4]);
            else
                Fails(r[4], c.ExactErrno);
            SameAsExact(r[4], r[5], c);
            Fails(r[6], Errno.E2BIG);
            Fails(r[7], Errno.E2BIG);
            Assert.That(r[6].Tail, Is.EqualTo("ff"), "the tail is never written");
            SameAsExact(r[4], r[8], c);
            if (c.MinSize < c.StructSize)
                SameAsExact(r[4], r[9], c);
        });
    }

    private static void SameAsExact(StepResult exact, StepResult other, ExtensibilityCase c)
    {
        Assert.That((other.Rc, other.Errno), Is.EqualTo((exact.Rc, exact.Errno)), () => $"step {other.Step}: {other}");
        if (!c.Deterministic)
            return;
        foreach (string field in exact.Arg!.Select(p => p.Key).Where(k => k != "size"))
            Assert.That(Field(other, field).ToJsonString(), Is.EqualTo(Field(exact, field).ToJsonString()), $"field {field} of step {other.Step}");
    }
}
