using System.Text.RegularExpressions;

namespace IommuFd.HardwareRunner.Tests.Support;

/// <summary>A small KTAP v1 parser for checking the runner's output against the grammar:
/// version line, plan, consecutive result numbers, nested subtests indented by two spaces with
/// their own version and plan before the parent's result line. Throws FormatException on any
/// deviation.</summary>
public sealed partial class KtapDocument
{
    public sealed record Result(int Number, bool Ok, string Name, string? Directive, IReadOnlyList<string> Diagnostics, KtapDocument? Subtest);

    public required int Planned { get; init; }
    public required IReadOnlyList<Result> Results { get; init; }
    public IReadOnlyList<string> TrailingDiagnostics { get; init; } = [];

    public static KtapDocument Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n').ToList();
        int index = 0;
        KtapDocument doc = ParseLevel(lines, ref index, 0);
        var trailing = new List<string>();
        for (; index < lines.Count; index++)
        {
            if (!lines[index].StartsWith("# ", StringComparison.Ordinal))
                throw new FormatException($"line {index + 1}: unexpected after the last result: '{lines[index]}'");
            trailing.Add(lines[index][2..]);
        }
        return new KtapDocument { Planned = doc.Planned, Results = doc.Results, TrailingDiagnostics = trailing };
    }

    private static KtapDocument ParseLevel(List<string> lines, ref int i, int depth)
    {
        string indent = new(' ', 2 * depth);
        if (i >= lines.Count || lines[i] != indent + "KTAP version 1")
            throw new FormatException($"line {i + 1}: expected '{indent}KTAP version 1', got '{(i < lines.Count ? lines[i] : "<end>")}'");
        i++;
        var pending = new List<string>();
        while (i < lines.Count && lines[i].StartsWith(indent + "# ", StringComparison.Ordinal)) { pending.Add(lines[i][(indent.Length + 2)..]); i++; }
        Match plan = i < lines.Count ? PlanLine().Match(lines[i][Math.Min(indent.Length, lines[i].Length)..]) : Match.Empty;
        if (i >= lines.Count || !lines[i].StartsWith(indent, StringComparison.Ordinal) || !plan.Success)
            throw new FormatException($"line {i + 1}: expected plan '{indent}1..N'");
        int planned = int.Parse(plan.Groups[1].Value);
        i++;

        var results = new List<Result>();
        var diagnostics = new List<string>();
        KtapDocument? subtest = null;
        while (i < lines.Count && results.Count < planned)
        {
            string line = lines[i];
            if (line == indent + "  KTAP version 1")
            {
                if (subtest is not null) throw new FormatException($"line {i + 1}: second subtest before a result line");
                subtest = ParseLevel(lines, ref i, depth + 1);
                continue;
            }
            if (!line.StartsWith(indent, StringComparison.Ordinal) || line.Length > indent.Length && line[indent.Length] == ' ')
                throw new FormatException($"line {i + 1}: wrong indentation: '{line}'");
            string body = line[indent.Length..];
            if (body.StartsWith("# ", StringComparison.Ordinal)) { diagnostics.Add(body[2..]); i++; continue; }
            Match m = ResultLine().Match(body);
            if (!m.Success) throw new FormatException($"line {i + 1}: not a KTAP line: '{line}'");
            int number = int.Parse(m.Groups[2].Value);
            if (number != results.Count + 1) throw new FormatException($"line {i + 1}: test number {number}, expected {results.Count + 1}");
            results.Add(new Result(number, m.Groups[1].Value == "ok", m.Groups[3].Value, m.Groups[4].Success ? m.Groups[4].Value : null, diagnostics, subtest));
            diagnostics = [];
            subtest = null;
            i++;
        }
        if (results.Count != planned) throw new FormatException($"planned {planned} results at depth {depth}, found {results.Count}");
        return new KtapDocument { Planned = planned, Results = results };
    }

    [GeneratedRegex(@"^1\.\.(\d+)$")]
    private static partial Regex PlanLine();

    [GeneratedRegex(@"^(ok|not ok) (\d+) ([^#]*?)(?: # (.*))?$")]
    private static partial Regex ResultLine();
}
