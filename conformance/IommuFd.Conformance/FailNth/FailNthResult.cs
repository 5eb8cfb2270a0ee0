using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace IommuFd.Conformance.FailNth;

/// <summary>The sweep of one trace: every run, and what they add up to.</summary>
/// <param name="Trace">The trace's name.</param>
/// <param name="Runs">Run 0 (no injection), then N = 1, 2, ... up to the first run without an injected fault.</param>
/// <param name="Elapsed">Wall time of the sweep (kernel and engine).</param>
public sealed record FailNthResult(string Trace, IReadOnlyList<FailNthRun> Runs, TimeSpan Elapsed)
{
    /// <summary>How many N were tried (the last one injected nothing).</summary>
    public int Tried => Runs.Count(r => r.Nth > 0);

    /// <summary>Runs in which a fault was injected.</summary>
    public int Injected => Runs.Count(r => r.Injected);

    /// <summary>Runs with a problem.</summary>
    public IReadOnlyList<FailNthRun> Failed => Runs.Where(r => r.Problems.Count > 0).ToList();

    /// <summary>How the calls that took a fault ended: errno name (or "succeeded") and count.</summary>
    public IReadOnlyDictionary<string, int> Outcomes => Runs.Where(r => r.Injected)
        .GroupBy(r => r.InjectedErrno == 0 ? "succeeded" : FailNthSweep.ErrnoName(r.InjectedErrno))
        .OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Faults injected per step of the trace: "step K CALL" and count.</summary>
    public IReadOnlyDictionary<string, int> FaultsPerStep => Runs.Where(r => r.Injected)
        .GroupBy(r => (r.InjectedStep!.Value, r.InjectedCall))
        .OrderBy(g => g.Key.Value).ToDictionary(g => $"step {g.Key.Value} {g.Key.InjectedCall}", g => g.Count());

    /// <summary>One line: N tried, faults injected, outcomes, problems, time.</summary>
    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{Trace}: N = 1..{Tried} tried, {Injected} faults injected ({Format(Outcomes)}), " +
        $"{Failed.Count} runs with problems, {Elapsed.TotalSeconds:0.0} s");

    /// <summary>The summary, faults per step, and every problem in full.</summary>
    public string ToText()
    {
        var text = new StringBuilder(Summary()).Append('\n');
        text.Append("  faults per step: ").Append(Format(FaultsPerStep)).Append('\n');
        foreach (FailNthRun run in Failed)
        {
            text.Append(CultureInfo.InvariantCulture, $"N = {run.Nth}");
            if (run.Injected)
                text.Append(CultureInfo.InvariantCulture, $" (fault in step {run.InjectedStep} {run.InjectedCall}: {(run.InjectedErrno == 0 ? "succeeded" : FailNthSweep.ErrnoName(run.InjectedErrno))})");
            text.Append(":\n");
            foreach (string problem in run.Problems)
                text.Append("- ").Append(problem).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The result as JSON (the result file).</summary>
    public JsonObject ToJson()
    {
        var runs = new JsonArray();
        foreach (FailNthRun run in Runs)
        {
            runs.Add(new JsonObject
            {
                ["n"] = run.Nth,
                ["injected_step"] = run.InjectedStep,
                ["injected_call"] = run.InjectedCall,
                ["errno"] = run.Injected ? (run.InjectedErrno == 0 ? "succeeded" : FailNthSweep.ErrnoName(run.InjectedErrno)) : null,
                ["problems"] = new JsonArray(run.Problems.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
            });
        }
        return new JsonObject
        {
            ["trace"] = Trace,
            ["tried"] = Tried,
            ["injected"] = Injected,
            ["outcomes"] = ToJson(Outcomes),
            ["faults_per_step"] = ToJson(FaultsPerStep),
            ["runs_with_problems"] = Failed.Count,
            ["seconds"] = Math.Round(Elapsed.TotalSeconds, 2),
            ["runs"] = runs,
        };
    }

    private static JsonObject ToJson(IReadOnlyDictionary<string, int> counts)
    {
        var json = new JsonObject();
        foreach ((string key, int count) in counts)
            json[key] = count;
        return json;
    }

    private static string Format(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.Select(c => $"{c.Key}: {c.Value}"));
}
