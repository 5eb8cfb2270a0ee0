using System.Globalization;
using IommuFd.Conformance.Diff;
using IommuFd.Conformance.Random;
using IommuFd.Conformance.Requirements;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>Kernel against engine on seeded random sequences of every op the engine models with devices
/// (<see cref="SequenceGenerator"/> with <see cref="SequenceScope.MockDevices"/>): mock devices and domains, HWPTs, attach/replace/detach, destroy
/// in any order, maps with domains checked by MD_CHECK_MAP/MD_CHECK_REFS, and the IOAS ops. Mock devices
/// exist only in the kernel tier's virtio-iommu VM. Every step is diffed; a divergence is shrunk to a
/// minimal trace and the test fails with the report. Minimal traces and the JSON report are saved to a
/// temporary folder (in the VM: the run's out folder), or, with IOMMUFD_SAVE_REGRESSIONS=1 /
/// IOMMUFD_NIGHTLY=1, to conformance/traces/mockdomain/regressions.</summary>
public sealed class DeviceRandomDifferentialTests() : DifferentialFixture(mockDomains: true)
{
    [Test]
    public void RandomDeviceSequencesMatch()
    {
        // Without mock devices every sequence would stop at its MOCK_DOMAIN on both sides and agree.
        if (new TraceRequirements([TraceNeed.MockDomain]).Unmet(KernelSide, EngineSide) is { } unmet)
            BackendSource.Unavailable(unmet);
        RandomBudget budget = RandomBudget.ForDevices();
        string saveTo = (budget.SaveRegressions ? TraceFiles.MockDomainRegressionDirectory() : null) ?? TraceFiles.ScratchDirectory(budget.Seed);
        var coverage = new OpCoverage();
        RandomDifferentialResult result = new RandomDifferential(KernelSide, EngineSide)
            {
                NameA = "kernel", NameB = "engine", Observe = run => coverage.Add(run.Trace, run.A),
            }
            .Run(new SequenceGenerator(budget.Seed, TraceKernels.Current, SequenceScope.MockDevices), budget.Sequences, budget.Steps, budget.Time, saveTo);
        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"device random differential: seed {result.Seed}, {result.Sequences} sequences, {result.Steps} steps, " +
            $"{result.Report.Entries.Count} divergences, {result.Elapsed.TotalSeconds:0.0} s"));
        // Per call kind, the kernel's successes and failures: the evidence that every op was reached.
        TestContext.Progress.WriteLine("device random differential, calls on the kernel:\n" + coverage.ToTable());
        if (result.Report.IsEmpty)
        {
            if (!budget.SaveRegressions && !Directory.EnumerateFileSystemEntries(saveTo).Any())
                Directory.Delete(saveTo);
            return;
        }
        Directory.CreateDirectory(saveTo);
        string json = Path.Combine(saveTo, $"device-divergences-{result.Seed}.json");
        File.WriteAllText(json, result.Report.ToJson());
        TestContext.AddTestAttachment(json, "divergence report (JSON)");
        Assert.Fail(result.Report.ToText());
    }
}
