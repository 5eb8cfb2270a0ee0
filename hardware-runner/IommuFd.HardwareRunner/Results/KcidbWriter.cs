using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Results;

/// <summary><c>kcidb.json</c>: KernelCI KCIDB v5.3 I/O data (<c>{version, checkouts, builds, tests}</c>),
/// a record of kernel testing. A checkout per kernel source (the Debian package and version when
/// known), a build per kernel tested (its <c>uname -r</c>, config hash and banner), a test per case
/// that ran on a kernel. The engine's own results test no kernel and are left out; a kernel that
/// was not there to test (the test kernel could not be had) is a build with status MISS. Ids are
/// <c>origin:…</c>, paths dot-separated <c>[a-zA-Z0-9_-]</c> segments, <c>log_excerpt</c> at most
/// 16384 characters, a case's repro file in its <c>output_files</c>.</summary>
/// <param name="outputUrl">Where the output folder can be fetched (ends with <c>/</c>): the base of <c>output_files</c> links.</param>
public sealed partial class KcidbWriter(Uri outputUrl) : IRunFileWriter
{
    /// <summary>Schema minor version written (5.3).</summary>
    public const int MinorVersion = 3;

    /// <summary>KCIDB's limit on <c>log_excerpt</c>.</summary>
    public const int LogExcerptLimit = 16384;

    /// <summary>The tree name of kernels built from a Debian source package.</summary>
    public const string DebianTree = "debian";

    /// <inheritdoc />
    public string FileName => "kcidb.json";

    /// <inheritdoc />
    public string Render(RunSnapshot run)
    {
        string prefix = $"{run.Environment.Origin}:{run.Environment.RunId}";
        var checkouts = new Dictionary<string, JsonObject>();
        var builds = new Dictionary<(string, string, string?, string?, bool), JsonObject>();
        var tests = new JsonArray();

        foreach (GroupSnapshot group in run.Groups)
        {
            KernelIdentity kernel = group.Kernel ?? run.Environment.HostKernel;
            foreach (TestCaseResult result in group.Results.Where(r => !r.EngineOnly))
            {
                var buildKey = (kernel.Release, kernel.ConfigHash, kernel.SourcePackage, kernel.SourceVersion, kernel.Missing);
                if (!builds.TryGetValue(buildKey, out JsonObject? build))
                {
                    string sourceKey = kernel.SourceVersion is { } version ? $"{kernel.SourcePackage}={version}" : $"release={kernel.Release}";
                    if (!checkouts.TryGetValue(sourceKey, out JsonObject? checkout))
                        checkouts[sourceKey] = checkout = Checkout(run, $"{prefix}.checkout{checkouts.Count}", kernel);
                    builds[buildKey] = build = Build(run, $"{prefix}.build{builds.Count}", (string)checkout["id"]!, kernel);
                }
                tests.Add(Test(run, result, (string)build["id"]!, group));
            }
        }

        var document = new JsonObject
        {
            ["version"] = new JsonObject { ["major"] = 5, ["minor"] = MinorVersion },
            ["checkouts"] = new JsonArray([.. checkouts.Values]),
            ["builds"] = new JsonArray([.. builds.Values]),
            ["tests"] = tests,
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The source a kernel was built from: a Debian package is tree <c>debian</c> with its
    /// version as the commit name (no upstream commit hash is known); other kernels are described by
    /// their release alone.</summary>
    private static JsonObject Checkout(RunSnapshot run, string id, KernelIdentity kernel)
    {
        var checkout = new JsonObject { ["id"] = id, ["origin"] = run.Environment.Origin };
        if (kernel.SourceVersion is { } version)
        {
            checkout["tree_name"] = DebianTree;
            checkout["git_commit_name"] = version;
            checkout["comment"] = $"Debian {kernel.SourcePackage} {version}";
        }
        else
        {
            checkout["comment"] = kernel.Missing ? $"no kernel: {kernel.Description}" : $"source of Linux {kernel.Release} (not known to be a Debian package)";
        }
        checkout["start_time"] = Time(run.Started);
        checkout["misc"] = new JsonObject
        {
            ["source_package"] = kernel.SourcePackage ?? "",
            ["source_version"] = kernel.SourceVersion ?? "",
            ["run_state"] = run.State.ToString().ToLowerInvariant(),
            ["incomplete_reason"] = run.Incomplete ?? "",
            ["host"] = run.Environment.Hostname,
            ["command"] = run.Environment.Command,
        };
        return checkout;
    }

    /// <summary>The kernel tested; its comment and <c>misc.engine_model</c> name the engine model its answers
    /// were diffed against, and the comment says plainly when that model is not of the kernel's series.</summary>
    private static JsonObject Build(RunSnapshot run, string id, string checkoutId, KernelIdentity kernel)
    {
        EngineModel? model = kernel.Missing ? null : EngineModel.For(kernel.Release);
        return new()
        {
            ["id"] = id,
            ["checkout_id"] = checkoutId,
            ["origin"] = run.Environment.Origin,
            ["architecture"] = kernel.Architecture ?? run.Environment.Architecture,
            ["comment"] = model is null ? $"not available: {kernel.Description}" : $"Linux {kernel.Release} ({kernel.Description}); {model.Mismatch ?? $"engine model {model.Model}"}",
            ["status"] = model is null ? "MISS" : "PASS",
            ["misc"] = new JsonObject
            {
                ["kernel_release"] = kernel.Release,
                ["config_sha256"] = kernel.ConfigHash,
                ["proc_version"] = kernel.Banner ?? "",
                ["engine_model"] = model?.Model ?? "",
            },
        };
    }

    private JsonObject Test(RunSnapshot run, TestCaseResult result, string buildId, GroupSnapshot group)
    {
        string path = PathOf(result.Path);
        var test = new JsonObject
        {
            ["id"] = $"{run.Environment.Origin}:{run.Environment.RunId}.{path}",
            ["build_id"] = buildId,
            ["origin"] = run.Environment.Origin,
            ["path"] = path,
            ["status"] = StatusOf(result.Status),
            ["comment"] = NoNul(result.Reason ?? ""),
            ["environment"] = new JsonObject
            {
                ["comment"] = NoNul($"{run.Environment.Hostname}: {group.Description}"),
                ["misc"] = new JsonObject { ["group"] = group.Name },
            },
            ["log_excerpt"] = Excerpt(result),
            ["start_time"] = Time(result.StartTime),
            ["duration"] = Math.Round(result.Duration.TotalSeconds, 6),
            ["misc"] = new JsonObject { ["runner_status"] = result.Status.ToString().ToUpperInvariant(), ["ktap_name"] = result.Name },
        };
        if (result.Repro is not null)
            test["output_files"] = new JsonArray(new JsonObject
            {
                ["name"] = ReproFiles.FileName(result),
                ["url"] = new Uri(outputUrl, ReproFiles.RelativePath(result)).AbsoluteUri,
            });
        return test;
    }

    /// <summary>KCIDB's status for a runner status: SKIP for a case that does not apply (with its
    /// reason as the comment); ERROR when the test broke or timed out; MISS when it never ran
    /// (the run was cut short, or a demanded backend is missing); FAIL only when it ran and found the
    /// kernel at fault.</summary>
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
            .Where(l => l.Length > 0));
        text = NoNul(text);
        return text.Length <= LogExcerptLimit ? text : text[..(LogExcerptLimit - 16)] + "\n[... truncated]";
    }

    /// <summary>KCIDB's text fields may not hold NUL characters (kernel logs can).</summary>
    private static string NoNul(string text) => text.Replace("\0", "", StringComparison.Ordinal);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffff+00:00", CultureInfo.InvariantCulture);

    [GeneratedRegex("[^a-zA-Z0-9_-]")]
    private static partial Regex InvalidSegmentCharacter();
}
