using System.Text;

namespace IommuFd.Conformance.Traces;

/// <summary>A named sequence of steps: one JSON object per line (docs/traces.md).</summary>
public sealed class Trace
{
    /// <summary>Creates a trace from steps already built, for the kernels given (null: every kernel).</summary>
    public Trace(string name, IReadOnlyList<TraceStep> steps, KernelRange? kernels = null)
    {
        Name = name;
        Steps = steps;
        Kernels = kernels;
    }

    /// <summary>The kernels the trace applies to (its header line); null for every kernel.</summary>
    public KernelRange? Kernels { get; }

    /// <summary>Whether the trace applies to <paramref name="release"/>.</summary>
    public bool AppliesTo(IommuFd.Engine.KernelRelease release) => Kernels?.Applies(release) ?? true;

    /// <summary>The trace's name: its file name without extension, or what the builder gave.</summary>
    public string Name { get; }

    /// <summary>The steps; step N is line N+1 of the file.</summary>
    public IReadOnlyList<TraceStep> Steps { get; }

    /// <summary>The index of the step labelled <paramref name="label"/>.</summary>
    /// <exception cref="KeyNotFoundException">No step has that label (the message names the trace).</exception>
    public int IndexOf(string label) =>
        Labels.TryGetValue(label, out int index) ? index : throw new KeyNotFoundException($"trace '{Name}' has no step labelled '{label}'");

    /// <summary>Whether a step is labelled <paramref name="label"/>.</summary>
    public bool HasLabel(string label) => Labels.ContainsKey(label);

    private Dictionary<string, int> Labels => _labels ??= Steps.Select((step, index) => (step.Label, index))
        .Where(e => e.Label is not null).ToDictionary(e => e.Label!, e => e.index, StringComparer.Ordinal);

    private Dictionary<string, int>? _labels;

    /// <summary>Reads and parses a <c>.jsonl</c> file.</summary>
    /// <exception cref="TraceFormatException">Malformed content, with file and line.</exception>
    public static Trace Load(string path) =>
        TraceParser.Parse(Path.GetFileNameWithoutExtension(path), File.ReadAllText(path), path);

    /// <summary>Parses JSON Lines text.</summary>
    /// <exception cref="TraceFormatException">Malformed content, with line.</exception>
    public static Trace Parse(string name, string text) => TraceParser.Parse(name, text, name);

    /// <summary>The trace as JSON Lines, one step per line, ending with a newline.</summary>
    public string ToJsonLines()
    {
        var text = new StringBuilder();
        if (Kernels != null)
            text.Append(new System.Text.Json.Nodes.JsonObject { ["kernels"] = Kernels.ToString() }.ToJsonString(Json.Compact)).Append('\n');
        foreach (TraceStep step in Steps)
            text.Append(step.ToJson().ToJsonString(Json.Compact)).Append('\n');
        return text.ToString();
    }

    /// <summary>Writes <see cref="ToJsonLines"/> to <paramref name="path"/>, creating its folder.</summary>
    public void Save(string path)
    {
        string? folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder))
            Directory.CreateDirectory(folder);
        File.WriteAllText(path, ToJsonLines());
    }

    /// <summary>The same steps under another name.</summary>
    public Trace WithName(string name) => new(name, Steps, Kernels);
}
