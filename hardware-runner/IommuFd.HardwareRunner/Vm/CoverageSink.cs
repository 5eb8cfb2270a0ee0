using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Results;

namespace IommuFd.HardwareRunner.Vm;

/// <summary>Remembers which traces have had their engine-vs-kernel differential run (past their
/// set-up) so far, so a later VM session takes only the traces no earlier group ran.</summary>
public sealed class CoverageSink : IResultSink
{
    private readonly HashSet<string> _diffed = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Of <paramref name="traces"/> (case name segments), those not diffed against a kernel yet.</summary>
    public IReadOnlyList<string> NotDiffed(IEnumerable<string> traces)
    {
        lock (_lock) return [.. traces.Where(t => !_diffed.Contains(t))];
    }

    /// <inheritdoc />
    public void CaseFinished(TestCaseResult result)
    {
        if (TracePlaces.Parse(result) is { Differential: true, Ran: true } c)
            lock (_lock) _diffed.Add(c.Trace);
    }

    /// <inheritdoc />
    public void RunStarted(RunEnvironment environment, int groupCount) { }

    /// <inheritdoc />
    public void GroupStarted(TestGroup group, int caseCount) { }

    /// <inheritdoc />
    public void GroupFinished(TestGroup group, string? incomplete) { }

    /// <inheritdoc />
    public void RunFinished(string? incomplete) { }
}
