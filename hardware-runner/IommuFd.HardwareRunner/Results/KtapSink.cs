using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Results;

/// <summary>Streams KTAP v1 (Documentation/dev-tools/ktap.rst) as results arrive: one subtest per
/// group, indented two spaces with its own version and plan lines before the group's result line;
/// reasons and divergences as <c># </c> diagnostics before a failing line; kselftest's closing
/// <c># Totals:</c> line.</summary>
public sealed class KtapSink(TextWriter output) : IResultSink
{
    private int _groupNumber;
    private int _caseNumber;
    private readonly Dictionary<TestStatus, int> _groupCounts = [];
    private readonly Dictionary<TestStatus, int> _totals = [];
    private KernelIdentity? _hostKernel;

    /// <inheritdoc />
    public void RunStarted(RunEnvironment environment, int groupCount)
    {
        _hostKernel = environment.HostKernel;
        Line("KTAP version 1");
        Line($"# iommufd conformance run {environment.RunId} on {environment.Hostname} (kernel {environment.HostKernel.Release})");
        Line($"1..{groupCount}");
    }

    /// <inheritdoc />
    public void GroupStarted(TestGroup group, int caseCount)
    {
        _groupNumber++;
        _caseNumber = 0;
        _groupCounts.Clear();
        Line("  KTAP version 1");
        Line($"  # Subtest: {group.Name}");
        Line($"  # {OneLine(group.Description)}");
        if (!group.EngineOnly && (group.Kernel ?? _hostKernel) is { Missing: false } kernel)
            Line($"  # {EngineModel.For(kernel.Release).Describe()}");
        Line($"  1..{caseCount}");
    }

    /// <inheritdoc />
    public void CaseFinished(TestCaseResult result)
    {
        _caseNumber++;
        _groupCounts[result.Status] = _groupCounts.GetValueOrDefault(result.Status) + 1;
        _totals[result.Status] = _totals.GetValueOrDefault(result.Status) + 1;
        foreach (string diagnostic in Diagnostics(result))
            Line($"  # {diagnostic}");
        Line("  " + ResultLine(_caseNumber, result.Name, result.Status, result.Reason));
        output.Flush();
    }

    /// <inheritdoc />
    public void GroupFinished(TestGroup group, string? incomplete)
    {
        if (incomplete is not null)
            Line($"# {group.Name}: incomplete: {OneLine(incomplete)}");
        int total = _groupCounts.Values.Sum();
        bool bad = incomplete is not null || _groupCounts.Keys.Any(IsBad);
        bool allSkipped = total > 0 && _groupCounts.GetValueOrDefault(TestStatus.Skip) == total;
        string line = bad ? $"not ok {_groupNumber} {group.Name}"
            : allSkipped ? $"ok {_groupNumber} {group.Name} # SKIP every case skipped"
            : $"ok {_groupNumber} {group.Name}";
        Line(line);
        output.Flush();
    }

    /// <inheritdoc />
    public void RunFinished(string? incomplete)
    {
        if (incomplete is not null)
            Line($"# run incomplete: {OneLine(incomplete)}");
        int error = _totals.GetValueOrDefault(TestStatus.Error) + _totals.GetValueOrDefault(TestStatus.Timeout) + _totals.GetValueOrDefault(TestStatus.NotRun);
        Line($"# Totals: pass:{_totals.GetValueOrDefault(TestStatus.Pass)} fail:{_totals.GetValueOrDefault(TestStatus.Fail)} " +
             $"xfail:{_totals.GetValueOrDefault(TestStatus.XFail)} xpass:{_totals.GetValueOrDefault(TestStatus.XPass)} " +
             $"skip:{_totals.GetValueOrDefault(TestStatus.Skip)} error:{error}");
        output.Flush();
    }

    /// <summary>Whether a status makes its group "not ok".</summary>
    public static bool IsBad(TestStatus status) =>
        status is TestStatus.Fail or TestStatus.Error or TestStatus.Timeout or TestStatus.XPass or TestStatus.NotRun;

    /// <summary>The KTAP result line of one case (no indentation).</summary>
    public static string ResultLine(int number, string name, TestStatus status, string? reason) => status switch
    {
        TestStatus.Pass => $"ok {number} {name}",
        TestStatus.Skip => $"ok {number} {name} # SKIP {OneLine(reason ?? "skipped")}",
        TestStatus.XFail => $"ok {number} {name} # XFAIL {OneLine(reason ?? "")}".TrimEnd(),
        TestStatus.XPass => $"not ok {number} {name} # XPASS",
        TestStatus.Timeout => $"not ok {number} {name} # TIMEOUT {OneLine(reason ?? "")}".TrimEnd(),
        _ => $"not ok {number} {name}",
    };

    private static IEnumerable<string> Diagnostics(TestCaseResult result)
    {
        if (result.Status == TestStatus.Timeout)
            yield return "exit=124";
        if (result.Status is TestStatus.Fail or TestStatus.Error or TestStatus.NotRun && result.Reason is not null)
            yield return $"{result.Name}: {(result.Status == TestStatus.Error ? "error: " : "")}{OneLine(result.Reason)}";
        if (result.Divergence is not null)
            foreach (string line in result.Divergence.Describe())
                yield return OneLine(line);
        if (result.Repro is not null)
            yield return $"repro file: {ReproFiles.RelativePath(result)}";
    }

    /// <summary>Newlines and <c>#</c> would break KTAP's line grammar inside a directive.</summary>
    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Replace('#', ' ').Trim();

    private void Line(string text) => output.WriteLine(text);
}
