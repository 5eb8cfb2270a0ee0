namespace IommuFd.HardwareRunner.Model;

/// <summary>What a test case body reports back: its status and why.</summary>
/// <param name="Status">Pass, fail, skip, ...</param>
/// <param name="Reason">A one-line reason (skip reason, failure summary); null when passing.</param>
/// <param name="Log">Free-form output worth keeping (goes to log excerpts and reports).</param>
/// <param name="Divergence">For differential cases that failed: the first diverging step.</param>
public sealed record CaseOutcome(TestStatus Status, string? Reason = null, string Log = "", Divergence? Divergence = null)
{
    /// <summary>A shrunk diverging trace (JSON Lines) that reproduces the failure, or null.</summary>
    public string? Repro { get; init; }

    /// <summary>A passing outcome.</summary>
    public static CaseOutcome Passed(string log = "") => new(TestStatus.Pass, null, log);

    /// <summary>A failing outcome with a reason.</summary>
    public static CaseOutcome Failed(string reason, string log = "") => new(TestStatus.Fail, reason, log);

    /// <summary>A skipped outcome; the reason is mandatory.</summary>
    public static CaseOutcome Skipped(string reason) => new(TestStatus.Skip, reason);

    /// <summary>A failing differential outcome carrying the first divergence.</summary>
    public static CaseOutcome Diverged(Divergence divergence, string log = "") =>
        new(TestStatus.Fail, $"backends diverge at step {divergence.Step} ({divergence.Operation})", log, divergence);
}
