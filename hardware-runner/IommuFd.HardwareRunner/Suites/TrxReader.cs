using System.Globalization;
using System.Xml.Linq;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Suites;

/// <summary>Reads a Visual Studio TRX file (what <c>dotnet vstest --logger trx</c> writes) into the
/// runner's results, so NUnit assemblies fold into the same KTAP, JUnit and KCIDB outputs. Cases
/// are named <c>nunit.&lt;Fixture&gt;.&lt;test&gt;</c>, reduced to <c>[a-zA-Z0-9_-]</c> segments.</summary>
public static class TrxReader
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    /// <summary>Parses TRX text; <paramref name="group"/> becomes each result's group.</summary>
    /// <exception cref="InvalidDataException">Not a TRX document.</exception>
    public static IReadOnlyList<TestCaseResult> Parse(string trx, string group)
    {
        XDocument doc;
        try { doc = XDocument.Parse(trx); }
        catch (System.Xml.XmlException e) { throw new InvalidDataException($"not a TRX file: {e.Message}", e); }
        if (doc.Root?.Name != Ns + "TestRun") throw new InvalidDataException("not a TRX file: the root is not TestRun");

        var classes = doc.Descendants(Ns + "UnitTest").ToDictionary(
            t => (string?)t.Attribute("id") ?? "",
            t => (string?)t.Element(Ns + "TestMethod")?.Attribute("className") ?? "");
        var seen = new HashSet<string>();
        var results = new List<TestCaseResult>();
        foreach (XElement r in doc.Descendants(Ns + "UnitTestResult"))
        {
            string className = classes.GetValueOrDefault((string?)r.Attribute("testId") ?? "", "");
            string fixture = CaseNames.Segment(className.Split('.').Last() is { Length: > 0 } f ? f : "tests");
            string test = CaseNames.Segment((string?)r.Attribute("testName") ?? "test").Trim('_');
            string name = $"nunit.{fixture}.{(test.Length == 0 ? "test" : test)}";
            for (int n = 2; !seen.Add(name); n++) name = $"nunit.{fixture}.{test}_{n}";

            XElement? output = r.Element(Ns + "Output");
            string message = (string?)output?.Element(Ns + "ErrorInfo")?.Element(Ns + "Message") ?? "";
            string stack = (string?)output?.Element(Ns + "ErrorInfo")?.Element(Ns + "StackTrace") ?? "";
            string stdout = (string?)output?.Element(Ns + "StdOut") ?? "";
            string outcome = (string?)r.Attribute("outcome") ?? "";
            TestStatus status = outcome switch
            {
                "Passed" => TestStatus.Pass,
                "Failed" => TestStatus.Fail,
                "NotExecuted" or "Inconclusive" or "NotRunnable" => TestStatus.Skip,
                "Timeout" => TestStatus.Timeout,
                "Aborted" => TestStatus.NotRun,
                _ => TestStatus.Error,
            };
            string firstLine = message.Split('\n')[0].Trim();
            string? reason = status switch
            {
                TestStatus.Pass => null,
                TestStatus.Skip => firstLine.Length > 0 ? firstLine : $"NUnit outcome {outcome}",
                _ => firstLine.Length > 0 ? firstLine : $"NUnit outcome {outcome}",
            };
            DateTimeOffset start = DateTimeOffset.TryParse((string?)r.Attribute("startTime"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var s) ? s : DateTimeOffset.UtcNow;
            TimeSpan duration = TimeSpan.TryParse((string?)r.Attribute("duration"), CultureInfo.InvariantCulture, out var d) ? d : TimeSpan.Zero;
            string log = string.Join("\n", new[] { message, stack, stdout }.Where(t => t.Length > 0));
            results.Add(new TestCaseResult(group, name, status, reason, log, null, start, duration));
        }
        return results;
    }
}
