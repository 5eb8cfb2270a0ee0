using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Suites;
using IommuFd.HardwareRunner.Tests.Support;

namespace IommuFd.HardwareRunner.Tests;

public sealed class TrxFoldingTests
{
    private const string Trx = """
        <?xml version="1.0" encoding="utf-8"?>
        <TestRun id="1" name="t" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
          <Results>
            <UnitTestResult testId="a" testName="TraceMatches(&quot;selftest/ioas-area.jsonl&quot;)" duration="00:00:00.5000000" startTime="2026-11-21T22:19:36.55+00:00" outcome="Passed" />
            <UnitTestResult testId="b" testName="Map_rejects_zero_length" duration="00:00:00.0100000" startTime="2026-11-21T22:19:37+00:00" outcome="Failed">
              <Output><ErrorInfo><Message>Expected -22 but was 0
        more</Message><StackTrace>at X.Y()</StackTrace></ErrorInfo></Output>
            </UnitTestResult>
            <UnitTestResult testId="c" testName="NeedsKernel" duration="00:00:00" startTime="2026-11-21T22:19:38+00:00" outcome="NotExecuted">
              <Output><ErrorInfo><Message>kernel backend absent: no /dev/iommu</Message></ErrorInfo></Output>
            </UnitTestResult>
          </Results>
          <TestDefinitions>
            <UnitTest id="a"><TestMethod className="IommuFd.Conformance.Tests.Suite.DifferentialTests" name="TraceMatches" /></UnitTest>
            <UnitTest id="b"><TestMethod className="IommuFd.Conformance.Tests.Suite.ErrnoTests" name="Map_rejects_zero_length" /></UnitTest>
            <UnitTest id="c"><TestMethod className="IommuFd.Conformance.Tests.Suite.ErrnoTests" name="NeedsKernel" /></UnitTest>
          </TestDefinitions>
        </TestRun>
        """;

    [Test]
    public void TrxResultsBecomeNamedRunnerResults()
    {
        IReadOnlyList<TestCaseResult> results = TrxReader.Parse(Trx, "nunit_conformance");

        Assert.That(results.Select(r => (r.Name, r.Status)), Is.EqualTo(new[]
        {
            ("nunit.DifferentialTests.TraceMatches__selftest_ioas-area_jsonl", TestStatus.Pass),
            ("nunit.ErrnoTests.Map_rejects_zero_length", TestStatus.Fail),
            ("nunit.ErrnoTests.NeedsKernel", TestStatus.Skip),
        }));
        Assert.That(results[0].Duration, Is.EqualTo(TimeSpan.FromMilliseconds(500)));
        Assert.That(results[1].Reason, Is.EqualTo("Expected -22 but was 0"));
        Assert.That(results[1].Log, Does.Contain("at X.Y()"));
        Assert.That(results[2].Reason, Is.EqualTo("kernel backend absent: no /dev/iommu"));
        Assert.That(results.Select(r => Results.KcidbWriter.PathOf(r.Path)), Is.EqualTo(results.Select(r => r.Path)), "names are already valid KCIDB paths");
    }

    [Test]
    public void SomethingElseIsRejectedClearly()
    {
        Assert.That(() => TrxReader.Parse("<junit/>", "g"), Throws.TypeOf<InvalidDataException>().With.Message.Contains("not a TRX file"));
        Assert.That(() => TrxReader.Parse("not xml", "g"), Throws.TypeOf<InvalidDataException>());
    }

    [Test]
    public void MissingAssemblyIsAnErrorResultNotACrash()
    {
        using var temp = new TempDirectory();
        var group = new VstestGroupFactory("dotnet", temp.Path, TimeSpan.FromSeconds(30)).Create(temp.Combine("Missing.Tests.dll"));

        var (_, summary, _) = Samples.Execute([group], temp.Combine("out"));

        Assert.That(group.Name, Is.EqualTo("nunit_missing_tests"));
        Assert.That(summary.Results.Single().Status, Is.EqualTo(TestStatus.Error));
        Assert.That(summary.Incomplete, Does.Contain("missing"));
    }
}
