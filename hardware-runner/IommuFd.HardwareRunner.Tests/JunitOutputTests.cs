using System.Xml.Linq;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Tests.Support;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>junit.xml against JUnit as Jenkins xUnit reads it (Schemas/junit.xsd), and what Jenkins and GitLab
/// show of it: suite and case names, each outcome with its message and detail.</summary>
public sealed class JunitOutputTests
{
    private static XDocument Render(IReadOnlyList<TestGroup>? groups = null)
    {
        using var temp = new TempDirectory();
        Samples.Execute(groups ?? Samples.EveryStatus(), temp.Path);
        string xml = File.ReadAllText(temp.Combine("junit.xml"));
        Assert.That(FormatSchemas.JunitProblems(xml), Is.Empty, "valid as Jenkins xUnit reads JUnit");
        return XDocument.Parse(xml);
    }

    [Test]
    public void TheRootCarriesOnlyWhatJunit10Allows()
    {
        XElement root = Render().Root!;
        Assert.That(root.Attributes().Select(a => a.Name.LocalName), Is.EquivalentTo(new[] { "name", "tests", "failures", "errors", "time" }));
    }

    [Test]
    public void TheSchemaCheckRefusesWhatJenkinsRefuses()
    {
        XDocument doc = Render();
        doc.Root!.SetAttributeValue("skipped", 3);
        doc.Root.SetAttributeValue("timestamp", "2026-11-21T22:00:00");
        Assert.That(FormatSchemas.JunitProblems(doc.ToString()), Has.Count.EqualTo(2), "the two attributes the runner used to write");
        XDocument noName = Render();
        noName.Descendants("testcase").First().Attribute("name")!.Remove();
        Assert.That(FormatSchemas.JunitProblems(noName.ToString()), Is.Not.Empty);
        XDocument fineTime = Render();
        fineTime.Root!.Element("testsuite")!.SetAttributeValue("time", "0.0001");
        Assert.That(FormatSchemas.JunitProblems(fineTime.ToString()), Is.Not.Empty, "at most three decimals");
    }

    [Test]
    public void EachOutcomeReadsWithItsReason()
    {
        var cases = Render().Descendants("testcase").ToDictionary(c => $"{c.Attribute("classname")!.Value}.{c.Attribute("name")!.Value}");
        Assert.That(cases["engine.iommufd.trace.needs_mock"].Element("skipped")!.Attribute("message")!.Value, Is.EqualTo("needs IOMMUFD_TEST # and a mock domain"));
        Assert.That(cases["kernel.iommufd.trace.map_unmap"].Element("skipped")!.Attribute("message")!.Value, Is.EqualTo("no /dev/iommu"));
        Assert.That(cases["engine.iommufd.trace.known_gap"].Element("skipped")!.Attribute("message")!.Value, Does.StartWith("XFAIL: "));
        XElement error = cases["engine.iommufd.trace.broken"].Element("error")!;
        Assert.That((error.Attribute("type")!.Value, error.Attribute("message")!.Value), Is.EqualTo(("ERROR", "InvalidOperationException: adapter\nbroke")));
        XElement timeout = cases["diff_engine_kernel.iommufd.random.seed_1"].Element("error")!;
        Assert.That(timeout.Attribute("type")!.Value, Is.EqualTo("TIMEOUT"));
        Assert.That(Render().Descendants("testsuite").Select(s => s.Element("properties")!.Elements("property").Single(p => p.Attribute("name")!.Value == "kernel").Attribute("value")!.Value),
            Is.All.EqualTo("6.12.117"));
    }

    [Test]
    public void AReproFileIsNamedInItsFailure()
    {
        var divergence = new Divergence(1, "IOMMU_IOAS_MAP", "engine", "0", "kernel", "-22");
        XElement failure = Render([new StaticTestGroup("diff_engine_kernel", "diff",
            [new RunnerTestCase("iommufd.random.seed_7", _ => CaseOutcome.Diverged(divergence) with { Repro = FakeSuite.ReproOf(7) })])])
            .Descendants("failure").Single();
        Assert.That(failure.Value, Does.Contain("repro file: repro/diff_engine_kernel.iommufd.random.seed_7.jsonl"));
    }

    [Test]
    public void CountsMatchTheElementsOnEverySuite()
    {
        XDocument doc = Render();
        Assert.That(doc.Root!.Name.LocalName, Is.EqualTo("testsuites"));
        foreach (XElement suite in doc.Root.Elements("testsuite").Append(doc.Root))
        {
            var cases = suite.Descendants("testcase").ToList();
            Assert.That((int)suite.Attribute("tests")!, Is.EqualTo(cases.Count), suite.Attribute("name")?.Value);
            Assert.That((int)suite.Attribute("failures")!, Is.EqualTo(cases.Count(c => c.Element("failure") is not null)));
            Assert.That((int)suite.Attribute("errors")!, Is.EqualTo(cases.Count(c => c.Element("error") is not null)));
        }
        foreach (XElement suite in doc.Root.Elements("testsuite"))
            Assert.That((int)suite.Attribute("skipped")!, Is.EqualTo(suite.Descendants("testcase").Count(c => c.Element("skipped") is not null)));
        Assert.That((int)doc.Root.Attribute("tests")!, Is.EqualTo(8));
        Assert.That((int)doc.Root.Attribute("failures")!, Is.EqualTo(1));
        Assert.That((int)doc.Root.Attribute("errors")!, Is.EqualTo(2));
        Assert.That(doc.Descendants("skipped").Count(), Is.EqualTo(3));
    }

    [Test]
    public void CasesAreNamedByGroupFixtureAndCase()
    {
        XElement diff = Render().Descendants("testcase").First(c => c.Element("failure") is not null);
        Assert.That(diff.Attribute("classname")!.Value, Is.EqualTo("diff_engine_kernel.iommufd.diff"));
        Assert.That(diff.Attribute("name")!.Value, Is.EqualTo("map_unmap"));
        Assert.That(diff.Element("failure")!.Value, Does.Contain("kernel: -22 EINVAL"));
    }

    [Test]
    public void EveryTestcaseHasAtMostOneOutcomeElement()
    {
        foreach (XElement testcase in Render().Descendants("testcase"))
            Assert.That(testcase.Elements().Count(e => e.Name.LocalName is "failure" or "error" or "skipped"), Is.LessThanOrEqualTo(1));
    }
}
