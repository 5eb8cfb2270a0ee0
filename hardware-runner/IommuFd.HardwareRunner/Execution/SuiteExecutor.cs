using System.Diagnostics;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Execution;

/// <summary>Runs groups of cases one after another, each case on an abandonable thread under its
/// time limit, and hands every result to the sinks the moment it exists. When the run is stopped
/// (whole-run timeout or the host shutting down on SIGTERM) the cases left are reported as not
/// run and the run as incomplete, so every output stays consistent.</summary>
public sealed class SuiteExecutor(ExecutorLimits limits, IReadOnlyList<IResultSink> sinks, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Runs <paramref name="groups"/>; <paramref name="stop"/> ends the run early.</summary>
    public RunSummary Execute(RunEnvironment environment, IReadOnlyList<TestGroup> groups, CancellationToken stop)
    {
        using var runLimit = CancellationTokenSource.CreateLinkedTokenSource(stop);
        runLimit.CancelAfter(limits.WholeRun);
        var results = new List<TestCaseResult>();
        string? incomplete = null;

        Each(s => s.RunStarted(environment, groups.Count));
        foreach (TestGroup group in groups)
        {
            string? groupIncomplete = group switch
            {
                StaticTestGroup s => RunStatic(s, runLimit.Token, stop, results),
                DeferredTestGroup d => RunDeferred(d, runLimit.Token, stop, results),
                _ => throw new InvalidOperationException($"unknown group kind {group.GetType().Name}"),
            };
            Each(s => s.GroupFinished(group, groupIncomplete));
            incomplete ??= groupIncomplete;
        }

        bool timedOut = runLimit.IsCancellationRequested && !stop.IsCancellationRequested;
        if (runLimit.IsCancellationRequested)
            incomplete = StopReason(stop);
        Each(s => s.RunFinished(incomplete));
        return new RunSummary(results, incomplete, timedOut);
    }

    private string StopReason(CancellationToken stop) =>
        stop.IsCancellationRequested ? "run stopped (signal or shutdown)" : $"whole-run timeout of {limits.WholeRun.TotalSeconds:0} s reached";

    private string? RunStatic(StaticTestGroup group, CancellationToken run, CancellationToken stop, List<TestCaseResult> results)
    {
        Each(s => s.GroupStarted(group, group.Cases.Count));
        foreach (RunnerTestCase testCase in group.Cases)
        {
            TestCaseResult result = (group.SkipReason is not null
                ? new TestCaseResult(group.Name, testCase.Name, TestStatus.Skip, group.SkipReason, "", null, _time.GetUtcNow(), TimeSpan.Zero)
                : run.IsCancellationRequested
                    ? new TestCaseResult(group.Name, testCase.Name, TestStatus.NotRun, $"not run: {StopReason(stop)}", "", null, _time.GetUtcNow(), TimeSpan.Zero)
                    : RunCase(group.Name, testCase, run, stop)) with { EngineOnly = group.EngineOnly };
            results.Add(result);
            Each(s => s.CaseFinished(result));
        }
        return run.IsCancellationRequested ? StopReason(stop) : null;
    }

    private TestCaseResult RunCase(string group, RunnerTestCase testCase, CancellationToken run, CancellationToken stop)
    {
        DateTimeOffset start = _time.GetUtcNow();
        TimeSpan limit = testCase.Timeout ?? limits.PerTest;
        AbandonableCall.Result<CaseOutcome> call = AbandonableCall.Run(testCase.Body, limit, run, testCase.Name);
        return call.Ending switch
        {
            AbandonableCall.Ending.Completed => new TestCaseResult(group, testCase.Name, call.Value!.Status, call.Value.Reason, call.Value.Log, call.Value.Divergence, start, call.Elapsed) { Repro = call.Value.Repro },
            AbandonableCall.Ending.Threw => new TestCaseResult(group, testCase.Name, TestStatus.Error, $"{call.Exception!.GetType().Name}: {call.Exception.Message}", call.Exception.ToString(), null, start, call.Elapsed),
            AbandonableCall.Ending.TimedOut => new TestCaseResult(group, testCase.Name, TestStatus.Timeout, $"timeout after {limit.TotalSeconds:0.###} s", "", null, start, call.Elapsed),
            _ => new TestCaseResult(group, testCase.Name, TestStatus.Timeout, $"interrupted: {StopReason(stop)}", "", null, start, call.Elapsed),
        };
    }

    private string? RunDeferred(DeferredTestGroup group, CancellationToken run, CancellationToken stop, List<TestCaseResult> results)
    {
        var watch = Stopwatch.StartNew();
        DateTimeOffset start = _time.GetUtcNow();
        DeferredGroupResult outcome;
        if (run.IsCancellationRequested)
        {
            outcome = new DeferredGroupResult([], $"not run: {StopReason(stop)}");
        }
        else
        {
            // The group bounds its own work (e.g. VM boot and run timeouts); the run limit still applies.
            AbandonableCall.Result<DeferredGroupResult> call = AbandonableCall.Run(group.Run, Timeout.InfiniteTimeSpan, run, group.Name);
            outcome = call.Ending switch
            {
                AbandonableCall.Ending.Completed => call.Value!,
                AbandonableCall.Ending.Threw => new DeferredGroupResult(
                    [new TestCaseResult(group.Name, "runner.group.run", TestStatus.Error, $"{call.Exception!.GetType().Name}: {call.Exception.Message}", call.Exception.ToString(), null, start, watch.Elapsed)],
                    "the group failed to run"),
                _ => new DeferredGroupResult(
                    [new TestCaseResult(group.Name, "runner.group.run", TestStatus.Timeout, $"interrupted: {StopReason(stop)}", "", null, start, watch.Elapsed)],
                    StopReason(stop)),
            };
        }

        TestGroup reported = outcome.Kernel is null ? group : group with { Kernel = outcome.Kernel };
        Each(s => s.GroupStarted(reported, outcome.Results.Count));
        foreach (TestCaseResult result in outcome.Results)
        {
            TestCaseResult named = result with { Group = group.Name };
            results.Add(named);
            Each(s => s.CaseFinished(named));
        }
        return outcome.Incomplete;
    }

    private void Each(Action<IResultSink> action)
    {
        foreach (IResultSink sink in sinks)
            action(sink);
    }
}
