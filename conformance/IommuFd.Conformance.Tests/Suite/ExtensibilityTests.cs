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
            Fails(r["below_minimum"], Errno.EINVAL);
            Fails(r["size_0"], Errno.EINVAL);
            if (c.ExactErrno == 0)
                Succeeds(r["exact"]);
            else
                Fails(r["exact"], c.ExactErrno);
            SameAsExact(r["exact"], r["zero_tail"], c);
            Fails(r["nonzero_tail"], Errno.E2BIG);
            Fails(r["nonzero_last_byte"], Errno.E2BIG);
            Assert.That(r["nonzero_tail"].Tail, Is.EqualTo("ff"), "the tail is never written");
            SameAsExact(r["exact"], r["page_of_zero_tail"], c);
            if (c.MinSize < c.StructSize)
                SameAsExact(r["exact"], r["minimum"], c);
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
