using System.Xml.Linq;
using IommuFd.HardwareRunner.Tests.Support;

namespace IommuFd.HardwareRunner.Tests;

public sealed class JunitOutputTests
{
    private static XDocument Render()
    {
        using var temp = new TempDirectory();
        Samples.Execute(Samples.EveryStatus(), temp.Path);
        return XDocument.Parse(File.ReadAllText(temp.Combine("junit.xml")));
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
            Assert.That((int)suite.Attribute("skipped")!, Is.EqualTo(cases.Count(c => c.Element("skipped") is not null)));
        }
        Assert.That((int)doc.Root.Attribute("tests")!, Is.EqualTo(8));
        Assert.That((int)doc.Root.Attribute("failures")!, Is.EqualTo(1));
        Assert.That((int)doc.Root.Attribute("errors")!, Is.EqualTo(2));
        Assert.That((int)doc.Root.Attribute("skipped")!, Is.EqualTo(3));
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
