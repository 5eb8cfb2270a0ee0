using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Results;

/// <summary><c>kcidb.json</c>: KernelCI KCIDB v5 I/O data (<c>{version, checkouts, builds, tests}</c>).
/// One checkout for the run, one build per kernel tested (release and config hash), one test per
/// case. Ids are <c>origin:…</c>, paths dot-separated with <c>[a-zA-Z0-9_-]</c> segments,
/// <c>log_excerpt</c> at most 16384 characters.</summary>
public sealed partial class KcidbWriter : IRunFileWriter
{
    /// <summary>Schema minor version written (5.3).</summary>
    public const int MinorVersion = 3;

    /// <summary>KCIDB's limit on <c>log_excerpt</c>.</summary>
    public const int LogExcerptLimit = 16384;

    /// <inheritdoc />
    public string FileName => "kcidb.json";

    /// <inheritdoc />
    public string Render(RunSnapshot run)
    {
        string origin = run.Environment.Origin;
        string checkoutId = $"{origin}:{run.Environment.RunId}";
        var builds = new Dictionary<KernelIdentity, string>();
        var tests = new JsonArray();

        foreach (GroupSnapshot group in run.Groups)
        {
            KernelIdentity kernel = group.Kernel ?? run.Environment.HostKernel;
            if (!builds.ContainsKey(kernel))
                builds[kernel] = $"{origin}:{run.Environment.RunId}.build{builds.Count}";
            foreach (TestCaseResult result in group.Results)
                tests.Add(Test(run, result, builds[kernel], group));
        }

        var document = new JsonObject
        {
            ["version"] = new JsonObject { ["major"] = 5, ["minor"] = MinorVersion },
            ["checkouts"] = new JsonArray(new JsonObject
            {
                ["id"] = checkoutId,
                ["origin"] = origin,
                ["tree_name"] = "linux-6.12",
                ["comment"] = $"iommufd conformance run {run.Environment.RunId} ({run.State.ToString().ToLowerInvariant()})",
                ["start_time"] = Time(run.Started),
                ["misc"] = new JsonObject
                {
                    ["run_state"] = run.State.ToString().ToLowerInvariant(),
                    ["incomplete_reason"] = run.Incomplete ?? "",
                    ["host"] = run.Environment.Hostname,
                    ["command"] = run.Environment.Command,
                },
            }),
            ["builds"] = new JsonArray([.. builds.Select(b => (JsonNode)new JsonObject
            {
                ["id"] = b.Value,
                ["checkout_id"] = checkoutId,
                ["origin"] = origin,
                ["architecture"] = run.Environment.Architecture,
                ["config_name"] = b.Key.Description,
                ["comment"] = $"Linux {b.Key.Release} ({b.Key.Description})",
                ["status"] = "PASS",
                ["misc"] = new JsonObject { ["kernel_release"] = b.Key.Release, ["config_sha256"] = b.Key.ConfigHash },
            })]),
            ["tests"] = tests,
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static JsonObject Test(RunSnapshot run, TestCaseResult result, string buildId, GroupSnapshot group)
    {
        string path = PathOf(result.Path);
        return new JsonObject
        {
            ["id"] = $"{run.Environment.Origin}:{run.Environment.RunId}.{path}",
            ["build_id"] = buildId,
            ["origin"] = run.Environment.Origin,
            ["path"] = path,
            ["status"] = StatusOf(result.Status),
            ["comment"] = result.Reason ?? "",
            ["environment"] = new JsonObject
            {
                ["comment"] = $"{run.Environment.Hostname}: {group.Description}",
                ["misc"] = new JsonObject { ["group"] = group.Name },
            },
            ["log_excerpt"] = Excerpt(result),
            ["start_time"] = Time(result.StartTime),
            ["duration"] = Math.Round(result.Duration.TotalSeconds, 6),
            ["misc"] = new JsonObject { ["runner_status"] = result.Status.ToString().ToUpperInvariant(), ["ktap_name"] = result.Name },
        };
    }

    /// <summary>KCIDB's status for a runner status (timeouts and harness errors are ERROR; cases never run are MISS).</summary>
    public static string StatusOf(TestStatus status) => status switch
    {
        TestStatus.Pass or TestStatus.XFail => "PASS",
        TestStatus.Fail or TestStatus.XPass => "FAIL",
        TestStatus.Skip => "SKIP",
        TestStatus.Error or TestStatus.Timeout => "ERROR",
        TestStatus.NotRun => "MISS",
        _ => "ERROR",
    };

    /// <summary>A path KCIDB accepts: every segment reduced to <c>[a-zA-Z0-9_-]</c>, never empty.</summary>
    public static string PathOf(string dotted) =>
        string.Join('.', dotted.Split('.').Select(s => s.Length == 0 ? "_" : InvalidSegmentCharacter().Replace(s, "_")));

    private static string Excerpt(TestCaseResult result)
    {
        string text = string.Join("\n", new[] { result.Reason ?? "" }.Concat(result.Divergence?.Describe() ?? []).Append(result.Log)
            .Where(l => l.Length > 0)).Replace("\0", "");
        return text.Length <= LogExcerptLimit ? text : text[..(LogExcerptLimit - 16)] + "\n[... truncated]";
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffff+00:00", CultureInfo.InvariantCulture);

    [GeneratedRegex("[^a-zA-Z0-9_-]")]
    private static partial Regex InvalidSegmentCharacter();
}
