using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>Rejects bad configuration at start, with every problem named, before anything runs.</summary>
public sealed partial class RunnerOptionsValidator : IValidateOptions<RunnerOptions>
{
    /// <summary>Backend names the runner knows.</summary>
    public static readonly IReadOnlyList<string> KnownBackends = RunModes.Words<RunnerBackend>();

    /// <summary>Accepted values of <see cref="RunnerOptions.Vm"/>.</summary>
    public static readonly IReadOnlyList<string> VmChoices = RunModes.Words<VmMode>();

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RunnerOptions o)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(o.OutputDirectory)) problems.Add("OutputDirectory must not be empty");
        foreach (string backend in o.Backends.Where(b => !KnownBackends.Contains(b)))
            problems.Add($"Backends: unknown backend '{backend}' (known: {string.Join(", ", KnownBackends)})");
        if (!VmChoices.Contains(o.Vm)) problems.Add($"Vm: '{o.Vm}' is not one of {string.Join(", ", VmChoices)}");
        if (o.RandomSequences is < 0 or > 1_000_000) problems.Add($"RandomSequences must be 0..1000000, not {o.RandomSequences}");
        if (o.SequenceLength is < 1 or > 1_000_000) problems.Add($"SequenceLength must be 1..1000000, not {o.SequenceLength}");
        if (!(o.TestTimeoutSeconds > 0)) problems.Add($"TestTimeoutSeconds must be positive, not {o.TestTimeoutSeconds}");
        if (!(o.RunTimeoutSeconds > 0)) problems.Add($"RunTimeoutSeconds must be positive, not {o.RunTimeoutSeconds}");
        if (o.RunTimeoutSeconds < o.TestTimeoutSeconds) problems.Add($"RunTimeoutSeconds ({o.RunTimeoutSeconds}) must not be less than TestTimeoutSeconds ({o.TestTimeoutSeconds})");
        if (!OriginPattern().IsMatch(o.Origin)) problems.Add($"Origin '{o.Origin}' must match [a-z0-9_]+ (KCIDB origin)");
        if (o.ArtifactsUrl.Length > 0 && !(Uri.TryCreate(o.ArtifactsUrl, UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https" or "file"))
            problems.Add($"ArtifactsUrl '{o.ArtifactsUrl}' must be an absolute http, https or file URL");
        if (!RunModes.Words<LavaMode>().Contains(o.Lava)) problems.Add($"Lava must be auto or off, not '{o.Lava}'");
        if (o.ReportRewriteIntervalMilliseconds < 0) problems.Add("ReportRewriteIntervalMilliseconds must not be negative");
        foreach (var device in o.VfioAllowlist)
            if (device.Problem() is { } problem) problems.Add($"VfioAllowlist: {problem}");
        foreach (var duplicate in o.VfioAllowlist.GroupBy(d => d.Address).Where(g => g.Count() > 1))
            problems.Add($"VfioAllowlist: {duplicate.Key} is listed {duplicate.Count()} times");
        if (!(o.VmSettings.BootTimeoutSeconds > 0)) problems.Add("VmSettings:BootTimeoutSeconds must be positive");
        if (!(o.VmSettings.RunTimeoutSeconds > 0)) problems.Add("VmSettings:RunTimeoutSeconds must be positive");
        if (o.VmSettings.MemoryMiB < 512) problems.Add($"VmSettings:MemoryMiB must be at least 512, not {o.VmSettings.MemoryMiB}");
        if (o.VmSettings.HugePages < 0 || o.VmSettings.HugePages * 2L > o.VmSettings.MemoryMiB / 2)
            problems.Add($"VmSettings:HugePages must be between 0 and {o.VmSettings.MemoryMiB / 4} (2 MiB pages: at most half of MemoryMiB), not {o.VmSettings.HugePages}");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex OriginPattern();
}
