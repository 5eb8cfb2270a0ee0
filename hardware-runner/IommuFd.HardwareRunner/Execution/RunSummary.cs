using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Execution;

/// <summary>Counts of a finished run and the exit code kselftest would give it.</summary>
/// <param name="Results">Every result, in order.</param>
/// <param name="Incomplete">Why the run ended early, or null.</param>
/// <param name="TimedOut">True when the whole-run limit ended it.</param>
public sealed record RunSummary(IReadOnlyList<TestCaseResult> Results, string? Incomplete, bool TimedOut)
{
    /// <summary>Number of results with the given status.</summary>
    public int Count(TestStatus status) => Results.Count(r => r.Status == status);

    /// <summary>kselftest exit code: 124 whole-run timeout; 1 any failure, error, timeout, xpass or
    /// unfinished run; 4 nothing ran but skips; 0 otherwise.</summary>
    public int ExitCode
    {
        get
        {
            if (TimedOut) return ExitCodes.Timeout;
            if (Incomplete is not null) return ExitCodes.Fail;
            if (Results.Any(r => r.Status is TestStatus.Fail or TestStatus.Error or TestStatus.Timeout or TestStatus.XPass or TestStatus.NotRun))
                return ExitCodes.Fail;
            if (Results.Count == 0 || Results.All(r => r.Status == TestStatus.Skip)) return ExitCodes.Skip;
            return ExitCodes.Pass;
        }
    }
}
