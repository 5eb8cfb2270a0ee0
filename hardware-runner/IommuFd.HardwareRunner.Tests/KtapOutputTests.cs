using System.Text.RegularExpressions;
using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Tests.Support;

namespace IommuFd.HardwareRunner.Tests;

public sealed class KtapOutputTests
{
    [Test]
    public void EveryStatusParsesBackAsKtapWithNestedGroups()
    {
        using var temp = new TempDirectory();
        (string ktap, RunSummary summary, _) = Samples.Execute(Samples.EveryStatus(), temp.Path);

        KtapDocument doc = KtapDocument.Parse(ktap);

        Assert.That(doc.Planned, Is.EqualTo(3));
        Assert.That(doc.Results.Select(r => r.Name), Is.EqualTo(new[] { "engine", "diff_engine_kernel", "kernel" }));
        KtapDocument engine = doc.Results[0].Subtest!;
        Assert.That(engine.Results.Select(r => (r.Ok, r.Name)), Is.EqualTo(new[]
        {
            (true, "iommufd.trace.map_unmap"), (true, "iommufd.trace.needs_mock"), (true, "iommufd.trace.known_gap"), (false, "iommufd.trace.broken"),
        }));
        Assert.That(engine.Results[1].Directive, Does.StartWith("SKIP needs IOMMUFD_TEST"));
        Assert.That(engine.Results[2].Directive, Does.StartWith("XFAIL"));
        Assert.That(engine.Results[3].Diagnostics, Has.Some.Contains("error: InvalidOperationException"));
        Assert.That(doc.Results[0].Ok, Is.False, "a group with an error is not ok");
        Assert.That(summary.ExitCode, Is.EqualTo(ExitCodes.Fail));
    }

    [Test]
    public void DivergenceIsPrintedAsDiagnosticsBeforeTheFailingLine()
    {
        using var temp = new TempDirectory();
        (string ktap, _, _) = Samples.Execute(Samples.EveryStatus(), temp.Path);

        KtapDocument.Result diff = KtapDocument.Parse(ktap).Results[1].Subtest!.Results[0];

        Assert.That(diff.Ok, Is.False);
        Assert.That(diff.Diagnostics, Does.Contain("first divergence at step 3: IOMMU_IOAS_MAP"));
        Assert.That(diff.Diagnostics, Does.Contain("engine: 0 (iova 0x1000)"));
        Assert.That(diff.Diagnostics, Does.Contain("kernel: -22 EINVAL"));
    }

    [Test]
    public void HangingCaseBecomesTimeoutWithExitCode124AndTheRunGoesOn()
    {
        using var temp = new TempDirectory();
        (string ktap, RunSummary summary, _) = Samples.Execute(Samples.EveryStatus(), temp.Path);

        KtapDocument.Result hung = KtapDocument.Parse(ktap).Results[1].Subtest!.Results[1];

        Assert.That(hung.Ok, Is.False);
        Assert.That(hung.Directive, Does.StartWith("TIMEOUT"));
        Assert.That(hung.Diagnostics, Does.Contain("exit=124"));
        Assert.That(KtapDocument.Parse(ktap).Results[1].Subtest!.Results[2].Ok, Is.True, "the case after the hang still ran");
        Assert.That(summary.Incomplete, Is.Null);
    }

    [Test]
    public void SkippedGroupIsOkWithSkipDirective()
    {
        using var temp = new TempDirectory();
        (string ktap, _, _) = Samples.Execute(Samples.EveryStatus(), temp.Path);

        KtapDocument.Result kernel = KtapDocument.Parse(ktap).Results[2];

        Assert.That(kernel.Ok, Is.True);
        Assert.That(kernel.Directive, Does.StartWith("SKIP"));
        Assert.That(kernel.Subtest!.Results.Single().Directive, Is.EqualTo("SKIP no /dev/iommu"));
    }

    [Test]
    public void TotalsLineMatchesTheResults()
    {
        using var temp = new TempDirectory();
        (string ktap, _, _) = Samples.Execute(Samples.EveryStatus(), temp.Path);

        string totals = KtapDocument.Parse(ktap).TrailingDiagnostics.Last();

        Match m = Regex.Match(totals, @"^Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) skip:(\d+) error:(\d+)$");
        Assert.That(m.Success, Is.True, totals);
        // pass: map_unmap, seed_2; fail: the divergence; xfail: known_gap; skip: needs_mock + skipped kernel group; error: throw + timeout.
        Assert.That(m.Groups.Values.Skip(1).Select(g => int.Parse(g.Value)), Is.EqualTo(new[] { 2, 1, 1, 0, 2, 2 }));
    }

    [Test]
    public void OnlySkipsGiveKselftestSkipExitCode()
    {
        using var temp = new TempDirectory();
        var groups = new[] { new Model.StaticTestGroup("kernel", "k", [new Model.RunnerTestCase("iommufd.trace.a", _ => Model.CaseOutcome.Passed())], "no /dev/iommu") };

        (_, RunSummary summary, _) = Samples.Execute(groups, temp.Path);

        Assert.That(summary.ExitCode, Is.EqualTo(ExitCodes.Skip));
    }

    [Test]
    public void ResultLineNeverLetsAReasonBreakTheGrammar()
    {
        string line = KtapSink.ResultLine(1, "iommufd.trace.a", Model.TestStatus.Skip, "two\nlines # and a hash");

        Assert.That(line, Is.EqualTo("ok 1 iommufd.trace.a # SKIP two lines   and a hash"));
    }

    [Test]
    public void ACaseThatDidNotRunIsNotOkWithoutASkipDirective() =>
        Assert.That(Results.KtapSink.ResultLine(3, "iommufd.trace.a", Model.TestStatus.NotRun, "not run: demanded backend unavailable: no /dev/iommu"),
            Is.EqualTo("not ok 3 iommufd.trace.a"), "a KTAP reader counts '# SKIP' as skipped, whatever the ok");
}
