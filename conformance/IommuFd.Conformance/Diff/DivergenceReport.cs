using System.Text;

using System.Text.Json.Nodes;
using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Diff;

/// <summary>One divergence with its context: which trace, which step, the call, and both results.</summary>
/// <param name="TraceName">The trace's name.</param>
/// <param name="Call">The step as its trace line (null if the step is past the end of the trace).</param>
/// <param name="Line">The step's line in the trace file (0 when built in code).</param>
/// <param name="BackendA">Name of the first backend (e.g. "kernel").</param>
/// <param name="BackendB">Name of the second backend (e.g. "engine").</param>
/// <param name="Divergence">The diverging step and fields.</param>
/// <param name="TraceText">The whole trace as JSON Lines, to reproduce it.</param>
/// <param name="SavedAs">Where the trace was saved as a regression, if it was.</param>
public sealed record DivergenceEntry(string TraceName, string? Call, int Line, string BackendA, string BackendB,
                                     Divergence Divergence, string TraceText, string? SavedAs = null)
{
    /// <summary>Builds the entry for a divergence found replaying <paramref name="trace"/>.</summary>
    public static DivergenceEntry Create(Trace trace, string backendA, string backendB, Divergence divergence, string? savedAs = null)
    {
        TraceStep? step = divergence.Step < trace.Steps.Count ? trace.Steps[divergence.Step] : null;
        return new DivergenceEntry(trace.Name, step?.ToJsonLine(), step?.Line ?? 0, backendA, backendB, divergence,
                                   trace.ToJsonLines(), savedAs);
    }
}

/// <summary>A list of divergences, printable as text for people and as JSON for tools.</summary>
public sealed class DivergenceReport
{
    private readonly List<DivergenceEntry> _entries = [];

    /// <summary>The divergences in the order they were added.</summary>
    public IReadOnlyList<DivergenceEntry> Entries => _entries;

    /// <summary>True when nothing diverged.</summary>
    public bool IsEmpty => _entries.Count == 0;

    /// <summary>Adds one divergence.</summary>
    public void Add(DivergenceEntry entry) => _entries.Add(entry);

    /// <summary>Every divergence with the call and both results field by field; differing fields are
    /// marked with <c>*</c>.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append(_entries.Count).Append(_entries.Count == 1 ? " divergence" : " divergences").Append('\n');
        foreach (DivergenceEntry entry in _entries)
            AppendEntry(text, entry);
        return text.ToString();
    }

    private static void AppendEntry(StringBuilder text, DivergenceEntry entry)
    {
        Divergence d = entry.Divergence;
        text.Append('\n').Append($"trace '{entry.TraceName}', step {d.Step}");
        if (entry.Line > 0)
            text.Append($" (line {entry.Line})");
        text.Append('\n');
        text.Append("  call: ").Append(entry.Call ?? "(past the end of the trace)").Append('\n');
        if (entry.SavedAs is not null)
            text.Append("  saved as: ").Append(entry.SavedAs).Append('\n');

        var left = d.A is null ? [] : TraceDiff.Flatten(d.A);
        var right = d.B is null ? [] : TraceDiff.Flatten(d.B);
        var rightByPath = right.ToDictionary(p => p.Key, p => p.Value);
        var paths = left.Select(p => p.Key).Concat(right.Select(p => p.Key)).Distinct().ToList();
        var leftByPath = left.ToDictionary(p => p.Key, p => p.Value);
        int width = Math.Max(5, paths.Select(p => p.Length).DefaultIfEmpty(0).Max());
        int valueWidth = Math.Max(entry.BackendA.Length, left.Select(p => p.Value.Length).DefaultIfEmpty(0).Max());
        valueWidth = Math.Min(valueWidth, 40);
        text.Append("    ").Append("field".PadRight(width)).Append("  ").Append(entry.BackendA.PadRight(valueWidth))
            .Append("  ").Append(entry.BackendB).Append('\n');
        foreach (string path in paths)
        {
            string a = leftByPath.GetValueOrDefault(path) ?? "(absent)";
            string b = rightByPath.GetValueOrDefault(path) ?? "(absent)";
            text.Append(a == b ? "    " : "  * ").Append(path.PadRight(width)).Append("  ")
                .Append(a.PadRight(valueWidth)).Append("  ").Append(b).Append('\n');
        }
        text.Append("  trace:\n");
        foreach (string line in entry.TraceText.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            text.Append("    ").Append(line).Append('\n');
    }

    /// <summary>The report as a JSON document: <c>{"divergences":[{trace, step, line, call,
    /// backends, differences, results, trace_text, saved_as}]}</c>.</summary>
    public string ToJson()
    {
        var list = new JsonArray();
        foreach (DivergenceEntry entry in _entries)
        {
            Divergence d = entry.Divergence;
            var differences = new JsonArray();
            foreach (FieldDifference f in d.Differences)
                differences.Add(new JsonObject { ["path"] = f.Path, [entry.BackendA] = f.A, [entry.BackendB] = f.B });
            list.Add(new JsonObject
            {
                ["trace"] = entry.TraceName,
                ["step"] = d.Step,
                ["line"] = entry.Line,
                ["call"] = entry.Call is null ? null : JsonNode.Parse(entry.Call),
                ["backends"] = new JsonArray(entry.BackendA, entry.BackendB),
                ["differences"] = differences,
                ["results"] = new JsonObject
                {
                    [entry.BackendA] = d.A?.ToJsonObject(),
                    [entry.BackendB] = d.B?.ToJsonObject(),
                },
                ["trace_text"] = entry.TraceText,
                ["saved_as"] = entry.SavedAs,
            });
        }
        return new JsonObject { ["divergences"] = list }.ToJsonString(Json.Indented);
    }
}
