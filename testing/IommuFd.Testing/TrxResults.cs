using System.Xml.Linq;

namespace IommuFd.Testing;

/// <summary>One test's result as a VSTest TRX file records it.</summary>
/// <param name="FullName">Class name, a dot, and the test name with its arguments (NUnit's FullName).</param>
/// <param name="Outcome">TRX outcome: Passed, Failed, NotExecuted, ...</param>
/// <param name="Message">The failure or skip message.</param>
/// <param name="StackTrace">The failure's stack trace.</param>
/// <param name="Output">What the test wrote to stdout.</param>
public sealed record TrxTestResult(string FullName, string Outcome, string Message, string StackTrace, string Output);

/// <summary>Reads the results of a TRX file (the format <c>--logger trx</c> writes).</summary>
public static class TrxResults
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    /// <summary>Every result of <paramref name="trxPath"/>, keyed by full name.</summary>
    /// <exception cref="InvalidDataException">When the file is not a TRX file.</exception>
    public static IReadOnlyDictionary<string, TrxTestResult> Read(string trxPath)
    {
        XDocument doc;
        try
        {
            doc = XDocument.Load(trxPath);
        }
        catch (System.Xml.XmlException e)
        {
            throw new InvalidDataException($"{trxPath} is not valid XML: {e.Message}", e);
        }
        if (doc.Root?.Name != Ns + "TestRun")
            throw new InvalidDataException($"{trxPath} is not a TRX file (root element {doc.Root?.Name})");

        var classById = doc.Descendants(Ns + "UnitTest").ToDictionary(
            t => (string?)t.Attribute("id") ?? "",
            t => (string?)t.Element(Ns + "TestMethod")?.Attribute("className") ?? "");
        var results = new Dictionary<string, TrxTestResult>(StringComparer.Ordinal);
        foreach (var r in doc.Descendants(Ns + "UnitTestResult"))
        {
            string className = classById.GetValueOrDefault((string?)r.Attribute("testId") ?? "", "");
            string name = (string?)r.Attribute("testName") ?? "";
            string fullName = className.Length > 0 ? className + "." + name : name;
            var output = r.Element(Ns + "Output");
            var error = output?.Element(Ns + "ErrorInfo");
            results[fullName] = new TrxTestResult(
                fullName,
                (string?)r.Attribute("outcome") ?? "",
                (string?)error?.Element(Ns + "Message") ?? "",
                (string?)error?.Element(Ns + "StackTrace") ?? "",
                (string?)output?.Element(Ns + "StdOut") ?? "");
        }
        return results;
    }
}
