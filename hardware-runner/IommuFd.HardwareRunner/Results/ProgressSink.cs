using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Results;

/// <summary>Progress on stderr: a live counter line when stderr is a terminal, plain lines (one per
/// group start and end) when it is a log file or a pipe.</summary>
public sealed class ProgressSink(TextWriter error, bool terminal) : IResultSink
{
    private string _group = "";
    private int _planned, _done, _bad;

    /// <inheritdoc />
    public void RunStarted(RunEnvironment environment, int groupCount) =>
        error.WriteLine($"{RunnerProgram.Name}: run {environment.RunId}: {groupCount} group(s)");

    /// <inheritdoc />
    public void GroupStarted(TestGroup group, int caseCount)
    {
        (_group, _planned, _done, _bad) = (group.Name, caseCount, 0, 0);
        if (!terminal)
            error.WriteLine($"{RunnerProgram.Name}: {group.Name}: {caseCount} case(s)");
    }

    /// <inheritdoc />
    public void CaseFinished(TestCaseResult result)
    {
        _done++;
        if (KtapSink.IsBad(result.Status)) _bad++;
        if (terminal)
        {
            string name = result.Name.Length > 50 ? "…" + result.Name[^49..] : result.Name;
            error.Write($"\r\u001b[K[{_group}] {_done}/{_planned} ({_bad} not ok) {name}");
        }
    }

    /// <inheritdoc />
    public void GroupFinished(TestGroup group, string? incomplete)
    {
        if (terminal) error.Write("\r\u001b[K");
        error.WriteLine($"{RunnerProgram.Name}: {group.Name}: {_done} done, {_bad} not ok{(incomplete is null ? "" : $", incomplete: {incomplete}")}");
    }

    /// <inheritdoc />
    public void RunFinished(string? incomplete) =>
        error.WriteLine(incomplete is null ? $"{RunnerProgram.Name}: run complete" : $"{RunnerProgram.Name}: run incomplete: {incomplete}");
}
