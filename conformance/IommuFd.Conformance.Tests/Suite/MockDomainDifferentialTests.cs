using IommuFd.Conformance.Diff;
using IommuFd.Conformance.Requirements;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>Kernel against engine for the traces that need mock devices and mock domains (requires.json):
/// the 6.12 test kernel gives them only under virtio-iommu, so the kernel side runs in the kernel tier's
/// virtio VM and the engine models that machine. The probe still decides: a kernel without mock domains
/// skips them with the reason (fails with IOMMUFD_REQUIRE_KERNEL=1). Every step is diffed.</summary>
public sealed class MockDomainDifferentialTests() : DifferentialFixture(mockDomains: true)
{
    /// <summary>Every trace under the mock-domain folder, by path relative to the traces folder, and the
    /// mock-domain sweeps built in code (<see cref="IoasVariant.CodeTraces"/>, named code/...).</summary>
    public static IEnumerable<string> TraceNames() =>
        TraceFiles.All().Where(TraceFiles.NeedsMockDomains).Concat(IoasVariant.CodeTraces().Select(t => t.Name));

    [TestCaseSource(nameof(TraceNames))]
    public void TraceMatches(string name)
    {
        bool code = name.StartsWith("code/", StringComparison.Ordinal);
        Trace trace = code ? IoasVariant.CodeTraces().Single(t => t.Name == name) : Trace.Load(Path.Combine(TraceFiles.Directory, name));
        TraceRequirements needs = code ? new TraceRequirements([TraceNeed.MockDomain]) : TraceFiles.Requirements(name);
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
}
