using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Results;

/// <summary>Where a run stands: still going (or killed while going), ended early, or complete.</summary>
public enum RunState
{
    /// <summary>Results are still arriving. Found on disk after the process died, it means the run
    /// was cut off (SIGKILL, crash, power loss).</summary>
    Running,
    /// <summary>The run ended before every case ran (timeout, signal, hung guest).</summary>
    Incomplete,
    /// <summary>Every planned case has a result.</summary>
    Complete,
}

/// <summary>An immutable picture of a run, which every file writer renders.</summary>
/// <param name="Environment">Run-level facts.</param>
/// <param name="State">Running, incomplete or complete.</param>
/// <param name="Incomplete">Why the run is incomplete, or null.</param>
/// <param name="Started">When the run began.</param>
/// <param name="Updated">When this picture was taken.</param>
/// <param name="Groups">The groups begun so far, in order.</param>
public sealed record RunSnapshot(
    RunEnvironment Environment,
    RunState State,
    string? Incomplete,
    DateTimeOffset Started,
    DateTimeOffset Updated,
    IReadOnlyList<GroupSnapshot> Groups)
{
    /// <summary>Every result of every group, in order.</summary>
    public IEnumerable<TestCaseResult> AllResults => Groups.SelectMany(g => g.Results);

    /// <summary>Number of results with <paramref name="status"/>.</summary>
    public int Count(TestStatus status) => AllResults.Count(r => r.Status == status);
}

/// <summary>One group's results so far.</summary>
/// <param name="Name">Group name.</param>
/// <param name="Description">What it covers.</param>
/// <param name="Kernel">The kernel it tested; null for the host kernel.</param>
/// <param name="Planned">How many cases it announced.</param>
/// <param name="Results">The results so far.</param>
/// <param name="Incomplete">Why it stopped early, or null.</param>
public sealed record GroupSnapshot(
    string Name,
    string Description,
    KernelIdentity? Kernel,
    int Planned,
    IReadOnlyList<TestCaseResult> Results,
    string? Incomplete)
{
    /// <summary>Number of results with <paramref name="status"/>.</summary>
    public int Count(TestStatus status) => Results.Count(r => r.Status == status);
}
