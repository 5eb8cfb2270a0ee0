using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Tests.Support;

namespace IommuFd.HardwareRunner.Tests;

public sealed class SummaryAndReportTests
{
    [Test]
    public void SummaryRoundTripsEveryResult()
    {
        using var temp = new TempDirectory();
        var (_, summary, _) = Samples.Execute(Samples.EveryStatus(), temp.Path);

        RunSnapshot? read = SummaryJsonWriter.Read(temp.Combine(SummaryJsonWriter.Name));

        Assert.That(read, Is.Not.Null);
        Assert.That(read!.State, Is.EqualTo(RunState.Complete));
        Assert.That(read.AllResults.Select(r => (r.Path, r.Status)), Is.EqualTo(summary.Results.Select(r => (r.Path, r.Status))));
        Assert.That(read.AllResults.Single(r => r.Divergence is not null).Divergence, Is.EqualTo(Samples.MapDivergence));
        Assert.That(read.Environment, Is.EqualTo(Samples.Environment()));
    }

    [Test]
    public void JournalHoldsOneLinePerResult()
    {
        using var temp = new TempDirectory();
        var (_, summary, _) = Samples.Execute(Samples.EveryStatus(), temp.Path);

        IReadOnlyList<TestCaseResult> journal = ResultJournal.Read(temp.Combine(ResultStore.JournalFileName));

        Assert.That(journal.Select(r => r.Path), Is.EqualTo(summary.Results.Select(r => r.Path)));
    }

    [Test]
    public void ReportShowsCountsPerBackendAndDivergencesSideBySide()
    {
        using var temp = new TempDirectory();
        Samples.Execute(Samples.EveryStatus(), temp.Path);

        string report = File.ReadAllText(temp.Combine("report.md"));

        Assert.That(report, Does.Contain("| engine | 6.12.117 | 4 | 1 | 0 | 1 | 0 | 1 | 0 | 1 | 0 |"));
        Assert.That(report, Does.Contain("| kernel | 6.12.117 | 1 | 0 | 0 | 1 |"));
        Assert.That(report, Does.Contain("| engine | kernel |"));
        Assert.That(report, Does.Contain("| 0 (iova 0x1000) | -22 EINVAL |"));
        Assert.That(report, Does.Contain("State: **complete**"));
    }

    [Test]
    public void NoTemporaryFilesAreLeftBehind()
    {
        using var temp = new TempDirectory();
        Samples.Execute(Samples.EveryStatus(), temp.Path);

        Assert.That(Directory.GetFiles(temp.Path).Select(Path.GetFileName), Is.EquivalentTo(new[] { "summary.json", "junit.xml", "kcidb.json", "report.md", "results.jsonl" }));
    }
}
