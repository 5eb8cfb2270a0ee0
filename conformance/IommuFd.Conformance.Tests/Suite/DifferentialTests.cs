using System.Globalization;
using IommuFd.Conformance.Diff;
using IommuFd.Conformance.Random;
using IommuFd.Conformance.Requirements;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>Kernel against engine in one process (inside the VM both exist): every trace of the
/// repository and of <see cref="SuiteTraces"/>, then seeded random sequences; every step of every
/// replay is diffed. A random divergence is shrunk to a minimal trace, saved under
/// conformance/traces/regressions when IOMMUFD_SAVE_REGRESSIONS=1 or IOMMUFD_NIGHTLY=1, and the
/// test fails with the divergence report.</summary>
public sealed class DifferentialTests() : DifferentialFixture(mockDomains: false)
{
    /// <summary>Names of every trace: files (relative path) and code-built ones. The traces that need mock
    /// domains run in <see cref="MockDomainDifferentialTests"/> (virtio-iommu VM) instead.</summary>
    public static IEnumerable<string> TraceNames() =>
        TraceFiles.All().Where(n => !TraceFiles.NeedsMockDomains(n)).Concat(SuiteTraces.All().Select(t => t.Name));

    [TestCaseSource(nameof(TraceNames))]
    public void TraceMatches(string name)
    {
        bool code = name.StartsWith("code/", StringComparison.Ordinal);
        Trace trace = code ? SuiteTraces.All().Single(t => t.Name == name) : Trace.Load(Path.Combine(TraceFiles.Directory, name));
        TraceRequirements needs = code ? TraceRequirements.None : TraceFiles.Requirements(name);
        if (needs.Unmet(KernelSide, EngineSide) is { } unmet)
            BackendSource.Unavailable(unmet);
        TraceKernels.RequireApplies(trace);
        DifferentialRun run = DifferentialRun.Execute(trace, KernelSide, EngineSide);
        if (run.Divergence is null)
        {
            if (needs.SetUpNotReached(trace, run.A) is { } notReached)
                BackendSource.Unavailable($"{notReached} on the kernel or the engine");
            return;
        }
        var report = new DivergenceReport();
        report.Add(DivergenceEntry.Create(trace, "kernel", "engine", run.Divergence));
        Assert.Fail(report.ToText());
    }

    [Test]
    public void RandomSequencesMatch()
    {
        RandomBudget budget = RandomBudget.FromEnvironment();
        // Minimal traces go to the regressions folder when asked (in the VM: the guest's writable share),
        // else to a scratch folder, as the device-aware run does: never into the VM's read-only repository.
        string saveTo = (budget.SaveRegressions ? TraceFiles.RegressionDirectory() : null) ?? TraceFiles.ScratchDirectory(budget.Seed);
        Directory.CreateDirectory(saveTo);
        RandomDifferentialResult result = new RandomDifferential(KernelSide, EngineSide)
            .Run(new SequenceGenerator(budget.Seed, TraceKernels.Current, SequenceScope.NoDevices), budget.Sequences, budget.Steps, budget.Time, saveTo);
        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"random differential: seed {result.Seed}, {result.Sequences} sequences, {result.Steps} steps, " +
            $"{result.Report.Entries.Count} divergences, {result.Elapsed.TotalSeconds:0.0} s"));
        if (result.Report.IsEmpty)
        {
            if (!budget.SaveRegressions && !Directory.EnumerateFileSystemEntries(saveTo).Any())
                Directory.Delete(saveTo);
            return;
        }
        string json = Path.Combine(saveTo, $"divergences-{result.Seed}.json");
        File.WriteAllText(json, result.Report.ToJson());
        TestContext.AddTestAttachment(json, "divergence report (JSON)");
        Assert.Fail(result.Report.ToText());
    }
}
