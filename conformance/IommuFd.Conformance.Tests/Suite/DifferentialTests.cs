using Stopwatch = System.Diagnostics.Stopwatch;
using System.Globalization;
using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Diff;
using IommuFd.Conformance.Random;
using IommuFd.Conformance.Tests.Support;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>Kernel against engine in one process (inside the VM both exist): every trace of the
/// repository and of <see cref="SuiteTraces"/>, then seeded random sequences; every step of every
/// replay is diffed. A random divergence is shrunk to a minimal trace, saved under
/// conformance/traces/regressions when IOMMUFD_SAVE_REGRESSIONS=1 or IOMMUFD_NIGHTLY=1, and the
/// test fails with the divergence report.</summary>
[Category(BackendSource.KernelCategory)]
public sealed class DifferentialTests
{
    private IIommuBackend? _kernel, _engine;

    // Per test: the kernel tier relays results per test, so it is asked from the test's context.
    [SetUp]
    public void CreateBackends()
    {
        SuiteSummary.TestStarted("kernel+engine");
        _kernel = BackendSource.Create("kernel");
        _engine = BackendSource.Create("engine");
    }

    [TearDown]
    public void DisposeBackends()
    {
        _kernel?.Dispose();
        _engine?.Dispose();
        _kernel = _engine = null;
        SuiteSummary.Record("kernel+engine", TestContext.CurrentContext.Result.Outcome.Status);
    }

    /// <summary>Names of every trace: files (relative path) and code-built ones.</summary>
    public static IEnumerable<string> TraceNames() =>
        TraceFiles.All().Concat(SuiteTraces.All().Select(t => t.Name));

    [TestCaseSource(nameof(TraceNames))]
    public void TraceMatches(string name)
    {
        Trace trace = name.StartsWith("code/", StringComparison.Ordinal)
            ? SuiteTraces.All().Single(t => t.Name == name)
            : Trace.Load(Path.Combine(TraceFiles.Directory, name));
        DifferentialRun run = DifferentialRun.Execute(trace, _kernel!, _engine!);
        if (run.Divergence is not null)
        {
            var report = new DivergenceReport();
            report.Add(DivergenceEntry.Create(trace, "kernel", "engine", run.Divergence));
            Assert.Fail(report.ToText());
        }
    }

    [Test]
    public void RandomSequencesMatch()
    {
        RandomBudget budget = RandomBudget.FromEnvironment();
        var generator = new SequenceGenerator(budget.Seed);
        var report = new DivergenceReport();
        var clock = Stopwatch.StartNew();
        int sequences = 0, steps = 0;
        while (budget.Continue(sequences, clock.Elapsed) && report.Entries.Count < 5)
        {
            Trace trace = generator.Next(budget.Steps);
            sequences++;
            steps += trace.Steps.Count;
            DifferentialRun run = DifferentialRun.Execute(trace, _kernel!, _engine!);
            if (run.Divergence is null)
                continue;
            Trace minimal = DifferentialRun.Minimize(trace, _kernel!, _engine!).WithName(trace.Name + "-min");
            DifferentialRun minimalRun = DifferentialRun.Execute(minimal, _kernel!, _engine!);
            string? saved = budget.SaveRegressions ? Save(minimal) : null;
            report.Add(DivergenceEntry.Create(minimal, "kernel", "engine", minimalRun.Divergence ?? run.Divergence, saved));
        }
        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"random differential: seed {budget.Seed}, {sequences} sequences, {steps} steps, {report.Entries.Count} divergences, {clock.Elapsed.TotalSeconds:0.0} s"));
        if (!report.IsEmpty)
        {
            string json = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"divergences-{budget.Seed}.json");
            File.WriteAllText(json, report.ToJson());
            TestContext.AddTestAttachment(json, "divergence report (JSON)");
            Assert.Fail(report.ToText());
        }
    }

    private static string? Save(Trace trace)
    {
        string? folder = TraceFiles.RegressionDirectory();
        if (folder is null)
            return null;
        try
        {
            string path = Path.Combine(folder, trace.Name + ".jsonl");
            trace.Save(path);
            return path;
        }
        catch (IOException e)
        {
            TestContext.Progress.WriteLine($"could not save regression {trace.Name}: {e.Message}");
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            TestContext.Progress.WriteLine($"could not save regression {trace.Name}: {e.Message}");
            return null;
        }
    }
}
