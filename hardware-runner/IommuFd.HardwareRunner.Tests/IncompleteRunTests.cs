using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Tests.Support;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>A run cut short (whole-run timeout, SIGTERM, a killed process) leaves every result so
/// far on disk and the run marked incomplete, and the runner itself never hangs.</summary>
public sealed class IncompleteRunTests
{
    private static StaticTestGroup SlowGroup(string name, int cases, TimeSpan each) =>
        new(name, "slow cases", [.. Enumerable.Range(1, cases).Select(i => new RunnerTestCase($"iommufd.random.seed_{i}", _ => { Thread.Sleep(each); return CaseOutcome.Passed(); }))]);

    private static StaticTestGroup HangingGroup() =>
        new("kernel", "a stuck ioctl", [new RunnerTestCase("iommufd.trace.stuck", _ => { Thread.Sleep(Timeout.Infinite); return CaseOutcome.Passed(); })]);

    [Test]
    public void WholeRunTimeoutReportsTheRestAsNotRunAndExits124()
    {
        using var temp = new TempDirectory();
        var limits = new ExecutorLimits(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(4));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var (ktap, summary, _) = Samples.Execute([SlowGroup("engine", 3, TimeSpan.FromMilliseconds(100)), HangingGroup(), SlowGroup("late", 2, TimeSpan.Zero)], temp.Path, limits);

        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "a stuck case must not hang the runner");
        Assert.That(summary.ExitCode, Is.EqualTo(ExitCodes.Timeout));
        Assert.That(summary.Results.Select(r => r.Status), Is.EqualTo(new[]
        {
            TestStatus.Pass, TestStatus.Pass, TestStatus.Pass, TestStatus.Timeout, TestStatus.NotRun, TestStatus.NotRun,
        }));
        RunSnapshot onDisk = SummaryJsonWriter.Read(temp.Combine(SummaryJsonWriter.Name))!;
        Assert.That(onDisk.State, Is.EqualTo(RunState.Incomplete));
        Assert.That(onDisk.Incomplete, Does.Contain("whole-run timeout"));
        Assert.That(onDisk.Count(TestStatus.Pass), Is.EqualTo(3));
        Assert.That(KtapDocument.Parse(ktap).TrailingDiagnostics, Has.Some.StartsWith("run incomplete: whole-run timeout"));
        Assert.That(File.ReadAllText(temp.Combine("kcidb.json")), Does.Contain("\"MISS\""));
    }

    [Test]
    public void StopSignalDuringACaseEndsTheRunIncompleteWithResultsKept()
    {
        using var temp = new TempDirectory();
        using var stop = new CancellationTokenSource();
        var groups = new List<TestGroup>
        {
            new StaticTestGroup("engine", "then SIGTERM arrives",
            [
                new RunnerTestCase("iommufd.trace.first", _ => CaseOutcome.Passed()),
                new RunnerTestCase("iommufd.trace.signalled", _ => { stop.Cancel(); Thread.Sleep(Timeout.Infinite); return CaseOutcome.Passed(); }),
                new RunnerTestCase("iommufd.trace.never", _ => CaseOutcome.Passed()),
            ]),
        };

        var (ktap, summary, _) = Samples.Execute(groups, temp.Path, stop: stop.Token);

        Assert.That(summary.Results.Select(r => r.Status), Is.EqualTo(new[] { TestStatus.Pass, TestStatus.Timeout, TestStatus.NotRun }));
        Assert.That(summary.Incomplete, Does.Contain("run stopped"));
        Assert.That(summary.ExitCode, Is.EqualTo(ExitCodes.Fail));
        Assert.That(SummaryJsonWriter.Read(temp.Combine(SummaryJsonWriter.Name))!.State, Is.EqualTo(RunState.Incomplete));
        Assert.DoesNotThrow(() => KtapDocument.Parse(ktap));
    }

    [Test]
    public void AKilledRunLeavesItsResultsOnDiskMarkedRunning()
    {
        using var temp = new TempDirectory();
        var store = new ResultStore(temp.Path, Samples.AllWriters(temp.Path), TimeSpan.FromHours(1));
        var group = new StaticTestGroup("engine", "e", []);
        store.RunStarted(Samples.Environment(), 1);
        store.GroupStarted(group, 3);
        for (int i = 0; i < 2; i++)
            store.CaseFinished(new TestCaseResult("engine", $"iommufd.trace.t{i}", TestStatus.Pass, null, "", null, DateTimeOffset.UtcNow, TimeSpan.Zero));
        // The process dies here: no GroupFinished, no RunFinished.

        RunSnapshot onDisk = SummaryJsonWriter.Read(temp.Combine(SummaryJsonWriter.Name))!;
        Assert.That(onDisk.State, Is.EqualTo(RunState.Running), "never 'complete' for a run that did not end");
        Assert.That(ResultJournal.Read(temp.Combine(ResultStore.JournalFileName)), Has.Count.EqualTo(2), "every result reached the journal at once");
        Assert.That(File.ReadAllText(temp.Combine("report.md")), Does.Contain("State: **running**"));
    }

    [Test]
    public void TornJournalLineIsIgnored()
    {
        using var temp = new TempDirectory();
        string journal = temp.Combine(ResultStore.JournalFileName);
        var result = new TestCaseResult("engine", "iommufd.trace.a", TestStatus.Pass, null, "", null, DateTimeOffset.UtcNow, TimeSpan.Zero);
        File.WriteAllText(journal, System.Text.Json.JsonSerializer.Serialize(result, RunJson.Options) + "\n{\"group\":\"eng");

        Assert.That(ResultJournal.Read(journal), Has.Count.EqualTo(1));
    }

    [Test]
    public void AbandonableCallReturnsAtTheTimeLimitWhileTheWorkStaysStuck()
    {
        var stuck = new ManualResetEventSlim();
        var result = AbandonableCall.Run<int>(_ => { stuck.Wait(); return 1; }, TimeSpan.FromMilliseconds(100), CancellationToken.None);

        Assert.That(result.Ending, Is.EqualTo(AbandonableCall.Ending.TimedOut));
        Assert.That(result.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        stuck.Set();
    }
}
