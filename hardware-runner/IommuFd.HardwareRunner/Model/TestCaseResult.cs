using System.Text.Json.Serialization;

namespace IommuFd.HardwareRunner.Model;

/// <summary>One finished (or abandoned) test case, as every output format sees it.</summary>
/// <param name="Group">The group it ran in (a backend such as <c>engine</c>, or <c>diff_engine_kernel</c>).</param>
/// <param name="Name">kselftest-style <c>suite.fixture.case</c> name.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Reason">One-line reason, or null.</param>
/// <param name="Log">Captured output.</param>
/// <param name="Divergence">First divergence for a failed differential case.</param>
/// <param name="StartTime">When it started (UTC).</param>
/// <param name="Duration">How long it took (or ran before being abandoned).</param>
public sealed record TestCaseResult(
    string Group,
    string Name,
    TestStatus Status,
    string? Reason,
    string Log,
    Divergence? Divergence,
    DateTimeOffset StartTime,
    TimeSpan Duration)
{
    /// <summary>The dotted path that identifies the case across formats: <c>group.suite.fixture.case</c>.</summary>
    public string Path => $"{Group}.{Name}";

    /// <summary>True when the result speaks for the reference engine alone and for no kernel
    /// (KCIDB, a record of kernel testing, leaves it out).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool EngineOnly { get; init; }

    /// <summary>The shrunk diverging trace (JSON Lines, replayable as it is), or null; the result
    /// store saves it as <see cref="Results.ReproFiles.RelativePath"/>.</summary>
    public string? Repro { get; init; }
}
