using System.Diagnostics;
using System.Runtime.InteropServices;
using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Tests.Support;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>The real runner as a child process, on the engine with long random sequences, stopped
/// part-way: SIGTERM ends it cleanly with the run marked incomplete; SIGKILL leaves what it wrote,
/// marked running (never complete).</summary>
public sealed partial class KilledRunnerProcessTests
{
    private const int SigTerm = 15, SigKill = 9;

    private static (Process Process, Task<string> Stdout) Start(TempDirectory temp)
    {
        Directory.CreateDirectory(temp.Combine("traces"));
        var info = new ProcessStartInfo(Vm.GuestRunSettings.FindDotnet()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "IommuFd.HardwareRunner.dll"), "run", "--backend", "engine", "--vm", "none", "--lava", "off",
            "--random", "400", "--sequence-length", "5000", "--traces", temp.Combine("traces"), "--output", temp.Combine("out"),
        })
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return (process, process.StandardOutput.ReadToEndAsync());
    }

    private static void WaitForResults(TempDirectory temp, Process process, int count)
    {
        var watch = Stopwatch.StartNew();
        string journal = temp.Combine("out", ResultStore.JournalFileName);
        while (watch.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (process.HasExited) Assert.Fail($"the runner exited early with {process.ExitCode}");
            if (ResultJournal.Read(journal).Count >= count) return;
            Thread.Sleep(100);
        }
        process.Kill(entireProcessTree: true);
        Assert.Fail($"no {count} results within 120 s");
    }

    [Test]
    public async Task SigtermLeavesResultsOnDiskAndTheRunIncomplete()
    {
        using var temp = new TempDirectory();
        var (process, stdout) = Start(temp);
        using (process)
        {
            WaitForResults(temp, process, 2);
            Assert.That(kill(process.Id, SigTerm), Is.Zero);
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("the runner did not stop within 60 s of SIGTERM");
            }

            Assert.That(process.ExitCode, Is.EqualTo(ExitCodes.Fail));
            RunSnapshot run = SummaryJsonWriter.Read(temp.Combine("out", SummaryJsonWriter.Name))!;
            Assert.That(run.State, Is.EqualTo(RunState.Incomplete));
            Assert.That(run.Incomplete, Does.Contain("run stopped"));
            Assert.That(run.Count(TestStatus.Pass), Is.GreaterThanOrEqualTo(2));
            Assert.That(run.Count(TestStatus.NotRun), Is.GreaterThan(0));
            KtapDocument ktap = KtapDocument.Parse(await stdout);
            Assert.That(ktap.TrailingDiagnostics, Has.Some.StartsWith("run incomplete: run stopped"));
        }
    }

    [Test]
    public void SigkillLeavesEveryResultSoFarMarkedRunning()
    {
        using var temp = new TempDirectory();
        var (process, _) = Start(temp);
        using (process)
        {
            WaitForResults(temp, process, 2);
            Assert.That(kill(process.Id, SigKill), Is.Zero);
            process.WaitForExit(TimeSpan.FromSeconds(30));

            RunSnapshot run = SummaryJsonWriter.Read(temp.Combine("out", SummaryJsonWriter.Name))!;
            Assert.That(run.State, Is.EqualTo(RunState.Running), "a killed run never claims to be complete");
            Assert.That(ResultJournal.Read(temp.Combine("out", ResultStore.JournalFileName)), Has.Count.GreaterThanOrEqualTo(2));
            Assert.That(() => System.Xml.Linq.XDocument.Load(temp.Combine("out", "junit.xml")), Throws.Nothing);
            Assert.That(() => System.Text.Json.JsonDocument.Parse(File.ReadAllText(temp.Combine("out", "kcidb.json"))), Throws.Nothing);
        }
    }
}
