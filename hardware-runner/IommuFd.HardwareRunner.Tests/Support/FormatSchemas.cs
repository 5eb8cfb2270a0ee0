using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using IommuFd.HardwareRunner.Results;
using Json.Schema;

namespace IommuFd.HardwareRunner.Tests.Support;

/// <summary>The runner's files checked against the project's statements of their formats
/// (Schemas/README.md): KCIDB v5.3 (<see cref="KcidbSchema"/>) with JsonSchema.Net, formats
/// asserted; JUnit as Jenkins xUnit reads it (Schemas/junit.xsd) with System.Xml.</summary>
public static class FormatSchemas
{
    private static readonly Lazy<XmlSchemaSet> Junit = new(() =>
    {
        var set = new XmlSchemaSet();
        using var reader = XmlReader.Create(Path.Combine(AppContext.BaseDirectory, "Schemas", "junit.xsd"));
        set.Add(null, reader);
        set.Compile();
        return set;
    });

    /// <summary>Every way <paramref name="json"/> breaks the KCIDB v5.3 schema; empty when valid.</summary>
    public static IReadOnlyList<string> KcidbProblems(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        EvaluationResults results = KcidbSchema.V5_3.Value.Evaluate(document.RootElement,
            new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid) return [];
        return [.. (results.Details ?? [results])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}"))
            .DefaultIfEmpty("invalid, without details")];
    }

    /// <summary>Every way <paramref name="xml"/> breaks the JUnit schema; empty when valid.</summary>
    public static IReadOnlyList<string> JunitProblems(string xml)
    {
        var problems = new List<string>();
        XDocument.Parse(xml, LoadOptions.SetLineInfo).Validate(Junit.Value, (_, e) => problems.Add($"line {e.Exception?.LineNumber}: {e.Message}"));
        return problems;
    }

    /// <summary>The problems of a rendered file of the runner, by its name; empty for files without a schema.</summary>
    public static IReadOnlyList<string> Problems(string fileName, string content) => fileName switch
    {
        "kcidb.json" => KcidbProblems(content),
        "junit.xml" => JunitProblems(content),
        _ => [],
    };

    /// <summary>Fails the test when the file at <paramref name="path"/> breaks its schema.</summary>
    public static void AssertValid(string path) =>
        Assert.That(Problems(Path.GetFileName(path), File.ReadAllText(path)), Is.Empty, $"{path} against its schema");

    /// <summary>A writer that checks every file it renders against its schema, while the run goes on
    /// and at its end, so no test produces a file that KernelCI or Jenkins would reject unnoticed.</summary>
    public sealed class Validating(IRunFileWriter inner) : IRunFileWriter
    {
        public string FileName => inner.FileName;

        public string Render(RunSnapshot run)
        {
            string content = inner.Render(run);
            IReadOnlyList<string> problems = Problems(FileName, content);
            if (problems.Count > 0)
                throw new AssertionException($"{FileName} breaks its schema:\n{string.Join("\n", problems)}\n{content}");
            return content;
        }
    }
}
