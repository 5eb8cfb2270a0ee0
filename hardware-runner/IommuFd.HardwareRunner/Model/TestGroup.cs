namespace IommuFd.HardwareRunner.Model;

/// <summary>A set of cases reported together: one KTAP subtest, one JUnit testsuite, one
/// KCIDB path prefix. Usually one backend (<c>engine</c>, <c>kernel</c>) or one backend pair.</summary>
public abstract record TestGroup(string Name, string Description)
{
    /// <summary>The kernel these results speak for; null means the host kernel.</summary>
    public KernelIdentity? Kernel { get; init; }

    /// <summary>True when the group tests the reference engine alone, no kernel: its results are
    /// marked <see cref="TestCaseResult.EngineOnly"/>.</summary>
    public bool EngineOnly { get; init; }
}

/// <summary>A group whose cases are known before it runs (streamed as they finish).</summary>
/// <param name="Name">Group name; <c>[a-z0-9_]</c> and dots.</param>
/// <param name="Description">What it covers, for reports.</param>
/// <param name="Cases">The cases, in run order.</param>
/// <param name="SkipReason">When not null, no case runs and each is reported as skipped with this reason.</param>
public sealed record StaticTestGroup(string Name, string Description, IReadOnlyList<RunnerTestCase> Cases, string? SkipReason = null)
    : TestGroup(Name, Description);

/// <summary>A group whose results only exist once it has run as a whole, such as the suite run
/// inside a VM guest. Its results are reported together after it ends.</summary>
/// <param name="Name">Group name.</param>
/// <param name="Description">What it covers.</param>
/// <param name="Run">Runs the whole group and returns every result, partial ones included.
/// <see cref="DeferredGroupResult.Incomplete"/> says why it is partial.</param>
public sealed record DeferredTestGroup(string Name, string Description, Func<CancellationToken, DeferredGroupResult> Run)
    : TestGroup(Name, Description);

/// <summary>The results of a deferred group.</summary>
/// <param name="Results">Every result obtained, in order.</param>
/// <param name="Incomplete">Null when complete; otherwise why the group stopped early.</param>
public sealed record DeferredGroupResult(IReadOnlyList<TestCaseResult> Results, string? Incomplete = null)
{
    /// <summary>The kernel the group turned out to test (a guest's own <c>uname -r</c>), replacing
    /// the group's <see cref="TestGroup.Kernel"/>; null keeps it.</summary>
    public KernelIdentity? Kernel { get; init; }
}
