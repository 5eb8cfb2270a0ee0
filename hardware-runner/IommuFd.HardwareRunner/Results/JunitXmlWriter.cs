using System.Globalization;
using System.Xml.Linq;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Results;

/// <summary><c>junit.xml</c> for general CI dashboards (Jenkins, GitLab), valid against Jenkins
/// xunit's <c>junit-10.xsd</c>: one <c>testsuite</c> per group with its counts, time stamp, host
/// and kernel as properties; the root <c>testsuites</c> has only the attributes that schema allows
/// (name, tests, failures, errors, time). Failures and unexpected passes are <c>failure</c>;
/// harness errors, timeouts and cases never run are <c>error</c>; skips and expected failures are
/// <c>skipped</c> with the reason as the message.</summary>
public sealed class JunitXmlWriter : IRunFileWriter
{
    /// <inheritdoc />
    public string FileName => "junit.xml";

    /// <inheritdoc />
    public string Render(RunSnapshot run)
    {
        var suites = new XElement("testsuites",
            new XAttribute("name", $"iommufd-conformance {run.Environment.RunId}"),
            Counts(run.AllResults.ToList()));
        foreach (GroupSnapshot group in run.Groups)
            suites.Add(Suite(run, group));
        if (run.State != RunState.Complete)
            suites.Add(new XComment($" run {run.State.ToString().ToLowerInvariant()}: {Clean(run.Incomplete ?? "").Replace("--", "- -", StringComparison.Ordinal)} "));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), suites).Declaration + "\n" + suites + "\n";
    }

    private static XElement Suite(RunSnapshot run, GroupSnapshot group)
    {
        var suite = new XElement("testsuite",
            new XAttribute("name", group.Name),
            Counts(group.Results),
            new XAttribute("skipped", group.Results.Count(r => r.Status is TestStatus.Skip or TestStatus.XFail)),
            new XAttribute("hostname", run.Environment.Hostname),
            new XAttribute("timestamp", (group.Results.FirstOrDefault()?.StartTime ?? run.Started).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
            new XElement("properties",
                Property("description", group.Description),
                Property("kernel", (group.Kernel ?? run.Environment.HostKernel).Release),
                Property("kernel.config.sha256", (group.Kernel ?? run.Environment.HostKernel).ConfigHash),
                Property("incomplete", group.Incomplete ?? "")));
        foreach (TestCaseResult result in group.Results)
            suite.Add(Case(result));
        return suite;
    }

    private static XElement Case(TestCaseResult result)
    {
        int split = result.Name.LastIndexOf('.');
        string className = split > 0 ? $"{result.Group}.{result.Name[..split]}" : result.Group;
        string caseName = split > 0 ? result.Name[(split + 1)..] : result.Name;
        var element = new XElement("testcase",
            new XAttribute("name", caseName),
            new XAttribute("classname", className),
            new XAttribute("time", Seconds(result.Duration)));
        string message = Clean(result.Reason ?? "");
        IEnumerable<string> repro = result.Repro is null ? [] : [$"repro file: {ReproFiles.RelativePath(result)}"];
        string detail = Clean(string.Join("\n", (result.Divergence?.Describe() ?? []).Concat(repro).Append(result.Log)).Trim());
        switch (result.Status)
        {
            case TestStatus.Fail:
            case TestStatus.XPass:
                element.Add(new XElement("failure", new XAttribute("message", message), new XAttribute("type", result.Status.ToString().ToUpperInvariant()), detail));
                break;
            case TestStatus.Error:
            case TestStatus.Timeout:
            case TestStatus.NotRun:
                element.Add(new XElement("error", new XAttribute("message", message), new XAttribute("type", result.Status.ToString().ToUpperInvariant()), detail));
                break;
            case TestStatus.Skip:
            case TestStatus.XFail:
                element.Add(new XElement("skipped", new XAttribute("message", (result.Status == TestStatus.XFail ? "XFAIL: " : "") + message)));
                break;
        }
        if (result.Log.Length > 0 && result.Status == TestStatus.Pass)
            element.Add(new XElement("system-out", Clean(result.Log)));
        return element;
    }

    private static XAttribute[] Counts(IReadOnlyList<TestCaseResult> results) =>
    [
        new("tests", results.Count),
        new("failures", results.Count(r => r.Status is TestStatus.Fail or TestStatus.XPass)),
        new("errors", results.Count(r => r.Status is TestStatus.Error or TestStatus.Timeout or TestStatus.NotRun)),
        new("time", Seconds(TimeSpan.FromTicks(results.Sum(r => r.Duration.Ticks)))),
    ];

    private static XElement Property(string name, string value) =>
        new("property", new XAttribute("name", name), new XAttribute("value", Clean(value)));

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>XML 1.0 cannot carry most control characters, even escaped; kernel logs can hold them.</summary>
    private static string Clean(string text) =>
        new(text.Select(c => c is '\t' or '\n' or '\r' || (c >= 0x20 && c != 0xFFFE && c != 0xFFFF && !char.IsSurrogate(c)) ? c : '?').ToArray());
}
