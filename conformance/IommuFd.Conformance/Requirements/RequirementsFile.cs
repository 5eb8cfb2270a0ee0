using System.Collections.Concurrent;
using System.Text.Json;

namespace IommuFd.Conformance.Requirements;

/// <summary>A folder's <c>requires.json</c>: <c>{"needs":[...],"traces":{"name":[...]}}</c>. The
/// folder's <c>needs</c> hold for every trace in it and below it; <c>traces</c> adds needs of single
/// traces, named by their path relative to the folder without <c>.jsonl</c>: a list of needs, or
/// <c>{"needs":[...],"setup":N}</c> for a trace whose set-up is its first N steps.</summary>
public sealed class RequirementsFile
{
    /// <summary>The file name looked for in each trace folder.</summary>
    public const string FileName = "requires.json";

    private static readonly ConcurrentDictionary<string, RequirementsFile> Loaded = new(StringComparer.Ordinal);

    /// <summary>One trace's entry: its own needs, and its set-up length when it names one.</summary>
    /// <param name="Needs">Needs added to the folder's.</param>
    /// <param name="SetUpSteps">The trace's set-up is its first this many steps; null: its need-bearing steps.</param>
    public sealed record TraceEntry(IReadOnlyList<TraceNeed> Needs, int? SetUpSteps);

    private RequirementsFile(string path, IReadOnlyList<TraceNeed> folder, IReadOnlyDictionary<string, TraceEntry> traces)
    {
        Path = path;
        Folder = folder;
        Traces = traces;
    }

    /// <summary>Where the file is.</summary>
    public string Path { get; }

    /// <summary>Needs of every trace under the folder.</summary>
    public IReadOnlyList<TraceNeed> Folder { get; }

    /// <summary>Entries of single traces, by relative name.</summary>
    public IReadOnlyDictionary<string, TraceEntry> Traces { get; }

    /// <summary>Reads (once per process) and parses <paramref name="path"/>.</summary>
    /// <exception cref="TraceFormatException">Malformed JSON or an unknown need, with file and line.</exception>
    public static RequirementsFile Load(string path) => Loaded.GetOrAdd(System.IO.Path.GetFullPath(path), p => Parse(p, File.ReadAllText(p)));

    /// <summary>Parses the text of a requirements file.</summary>
    /// <exception cref="TraceFormatException">Malformed JSON or an unknown need, with file and line.</exception>
    public static RequirementsFile Parse(string path, string text)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(text);
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException("the file holds one object: {\"needs\":[...],\"traces\":{...}}");
            var folder = new List<TraceNeed>();
            var traces = new Dictionary<string, TraceEntry>(StringComparer.Ordinal);
            foreach (JsonProperty property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "needs":
                        folder.AddRange(Needs(property.Value, "needs"));
                        break;
                    case "traces" when property.Value.ValueKind == JsonValueKind.Object:
                        foreach (JsonProperty trace in property.Value.EnumerateObject())
                            traces[trace.Name] = Entry(trace.Value, $"traces.{trace.Name}");
                        break;
                    default:
                        throw new FormatException($"unknown key '{property.Name}' (needs, traces)");
                }
            }
            return new RequirementsFile(path, folder, traces);
        }
        catch (JsonException e)
        {
            throw new TraceFormatException($"{path} line {(e.LineNumber ?? 0) + 1}: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new TraceFormatException($"{path}: {e.Message}", e);
        }
    }

    private static TraceEntry Entry(JsonElement entry, string where)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            return new TraceEntry(Needs(entry, where), null);
        List<TraceNeed> needs = [];
        int? setUp = null;
        foreach (JsonProperty property in entry.EnumerateObject())
        {
            if (property.Name == "needs") needs = Needs(property.Value, $"{where}.needs");
            else if (property.Name == "setup" && property.Value.TryGetInt32(out int steps) && steps > 0) setUp = steps;
            else throw new FormatException($"'{where}': '{property.Name}' is not 'needs' (a list) or 'setup' (a positive step count)");
        }
        return new TraceEntry(needs, setUp);
    }

    private static List<TraceNeed> Needs(JsonElement list, string where)
    {
        if (list.ValueKind != JsonValueKind.Array)
            throw new FormatException($"'{where}' is a list of needs");
        return [.. list.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
            ? TraceNeed.Parse(e.GetString()!)
            : throw new FormatException($"'{where}' holds strings, not {e.ValueKind}"))];
    }
}
