using System.Text;

namespace IommuFd.HardwareRunner.Tests.Support;

/// <summary>The parts of a LAVA test definition a test shell runs: <c>params</c> (defaults),
/// <c>install: deps</c> and <c>run: steps</c>, and the <c>run.sh</c> LAVA makes of them (parameters as
/// shell variables, then <c>set -e</c>, then the steps in order, run by /bin/sh). Reads the YAML subset
/// the project's definition uses (block mappings, sequences of plain, single- or double-quoted
/// scalars) and fails on anything else.</summary>
public sealed class LavaDefinition
{
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public required IReadOnlyList<string> Dependencies { get; init; }
    public required IReadOnlyList<string> Steps { get; init; }

    public static LavaDefinition Load(string path)
    {
        var parameters = new Dictionary<string, string>();
        var deps = new List<string>();
        var steps = new List<string>();
        string section = "", subsection = "";
        int number = 0;
        foreach (string raw in File.ReadLines(path))
        {
            number++;
            string line = raw.TrimEnd();
            if (line.Length == 0 || line.TrimStart().StartsWith('#')) continue;
            int indent = line.Length - line.TrimStart().Length;
            string text = line.Trim();
            if (indent == 0) { section = text.TrimEnd(':'); subsection = ""; continue; }
            if (indent == 2 && text.EndsWith(':')) { subsection = text.TrimEnd(':'); continue; }
            if (section == "params" && indent == 2)
            {
                int colon = text.IndexOf(':');
                parameters[text[..colon]] = Scalar(text[(colon + 1)..].Trim(), path, number);
            }
            else if (section == "install" && subsection == "deps" && text.StartsWith("- ", StringComparison.Ordinal))
                deps.Add(Scalar(text[2..], path, number));
            else if (section == "run" && subsection == "steps" && text.StartsWith("- ", StringComparison.Ordinal))
                steps.Add(Scalar(text[2..], path, number));
        }
        return new LavaDefinition { Parameters = parameters, Dependencies = deps, Steps = steps };
    }

    /// <summary>run.sh as LAVA writes it: the parameters (job values over the defaults), set -e, the steps.</summary>
    public string RunScript(string folder, IReadOnlyDictionary<string, string> overrides)
    {
        var script = new StringBuilder("###default parameters from test definition###\n");
        foreach ((string key, string value) in Parameters) script.Append($"{key}={Quote(value)}\n");
        script.Append("###test parameters from job submission###\n");
        foreach ((string key, string value) in overrides) script.Append($"{key}={Quote(value)}\n");
        script.Append($"set -e\ncd {Quote(folder)}\n");
        foreach (string step in Steps) script.Append(step).Append('\n');
        return script.ToString();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";

    private static string Scalar(string text, string path, int line)
    {
        if (text.StartsWith('\'') && text.EndsWith('\'') && text.Length >= 2) return text[1..^1].Replace("''", "'");
        if (text.StartsWith('"') && text.EndsWith('"') && text.Length >= 2)
        {
            string inner = text[1..^1];
            if (inner.Contains('\\')) throw new FormatException($"{path}:{line}: escapes in double-quoted scalars are not read here");
            return inner;
        }
        if (text.Length > 0 && "'\"{[&*!|>%@`".Contains(text[0]) || text.Contains(": ") || text.Contains(" #"))
            throw new FormatException($"{path}:{line}: quote this scalar: {text}");
        return text;
    }
}
