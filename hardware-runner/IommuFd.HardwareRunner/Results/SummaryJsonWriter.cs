using System.Text.Json;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Results;

/// <summary><c>summary.json</c>: the whole run in the runner's own schema, with counts. The VM verb
/// reads a guest's summary back with <see cref="Read"/> to merge it.</summary>
public sealed class SummaryJsonWriter : IRunFileWriter
{
    /// <summary>The file name.</summary>
    public const string Name = "summary.json";

    /// <inheritdoc />
    public string FileName => Name;

    /// <inheritdoc />
    public string Render(RunSnapshot run)
    {
        var document = new SummaryDocument(
            "iommufd-hardware-runner-summary/1",
            run,
            Enum.GetValues<TestStatus>().ToDictionary(s => s.ToString(), run.Count));
        return JsonSerializer.Serialize(document, RunJson.Indented) + "\n";
    }

    /// <summary>Reads a summary written by <see cref="Render"/>; null when the file is absent.</summary>
    /// <exception cref="InvalidDataException">The file is not a runner summary.</exception>
    public static RunSnapshot? Read(string path)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            SummaryDocument? document = JsonSerializer.Deserialize<SummaryDocument>(File.ReadAllText(path), RunJson.Options);
            return document?.Run ?? throw new InvalidDataException($"{path}: empty summary");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a runner summary: {e.Message}", e);
        }
    }

    private sealed record SummaryDocument(string Format, RunSnapshot Run, Dictionary<string, int> Counts);
}
