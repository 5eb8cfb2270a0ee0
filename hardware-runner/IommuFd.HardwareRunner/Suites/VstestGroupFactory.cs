using System.Diagnostics;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Suites;

/// <summary>Runs a prebuilt NUnit assembly with <c>dotnet vstest --logger trx</c> in a child process
/// (killed at the time limit) and folds its TRX into the run as one group, <c>nunit_&lt;assembly&gt;</c>.</summary>
public sealed class VstestGroupFactory(string dotnet, string resultsDirectory, TimeSpan timeLimit)
{
    /// <summary>The group for <paramref name="assembly"/>.</summary>
    public DeferredTestGroup Create(string assembly)
    {
        string stem = Path.GetFileNameWithoutExtension(assembly);
        string group = "nunit_" + CaseNames.Segment(stem.Replace('.', '_')).ToLowerInvariant();
        return new DeferredTestGroup(group, $"NUnit assembly {assembly} through dotnet vstest", ct => Run(group, assembly, ct));
    }

    private DeferredGroupResult Run(string group, string assembly, CancellationToken cancellationToken)
    {
        DateTimeOffset start = DateTimeOffset.UtcNow;
        TestCaseResult Harness(TestStatus status, string reason, string log = "") =>
            new(group, "runner.vstest.session", status, reason, log, null, start, DateTimeOffset.UtcNow - start);

        if (!File.Exists(assembly))
            return new DeferredGroupResult([Harness(TestStatus.Error, $"assembly not found: {assembly}")], "the NUnit assembly is missing");

        string directory = Path.Combine(resultsDirectory, group);
        Directory.CreateDirectory(directory);
        string trx = Path.Combine(directory, "results.trx");
        File.Delete(trx);
        var info = new ProcessStartInfo(dotnet) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "vstest", assembly, $"--logger:trx;LogFileName={trx}", $"--ResultsDirectory:{directory}" })
            info.ArgumentList.Add(a);
        using var process = new Process { StartInfo = info };
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        bool exited;
        using (cancellationToken.Register(() => Kill(process)))
            exited = process.WaitForExit(timeLimit);
        if (!exited) Kill(process);
        process.WaitForExit(10_000);
        string log = output.ToString();
        string tail = log.Length > 8000 ? log[^8000..] : log;

        var results = new List<TestCaseResult>();
        string? incomplete = null;
        if (!exited || cancellationToken.IsCancellationRequested)
        {
            results.Add(Harness(TestStatus.Timeout, cancellationToken.IsCancellationRequested ? "interrupted: the run was stopped" : $"dotnet vstest did not finish within {timeLimit.TotalSeconds:0} s", tail));
            incomplete = "dotnet vstest was stopped";
        }
        else
        {
            // vstest exits 1 when a test failed; that is reported per case, not as a harness error.
            results.Add(Harness(TestStatus.Pass, $"dotnet vstest exit code {process.ExitCode}", tail) with { Reason = null });
        }

        if (File.Exists(trx))
        {
            try { results.AddRange(TrxReader.Parse(File.ReadAllText(trx), group)); }
            catch (InvalidDataException e) { results.Add(Harness(TestStatus.Error, e.Message)); incomplete ??= "the TRX file could not be read"; }
        }
        else
        {
            results[0] = results[0] with { Status = TestStatus.Error, Reason = $"dotnet vstest wrote no TRX (exit {(exited ? process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")})" };
            incomplete ??= "no TRX from dotnet vstest";
        }
        return new DeferredGroupResult(results, incomplete);
    }

    private static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* already gone */ }
    }
}
