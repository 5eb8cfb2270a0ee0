using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Results;

namespace IommuFd.HardwareRunner.Tests.Support;

/// <summary>Runs and results used by several tests.</summary>
public static class Samples
{
    public static RunEnvironment Environment() => new(
        "20261121T220000Z-abc123", "iommufd_conformance", "testhost", "x86_64",
        new KernelIdentity("6.12.117", new string('a', 64), "host kernel"), "run --backend engine");

    public static readonly Divergence MapDivergence = new(3, "IOMMU_IOAS_MAP", "engine", "0 (iova 0x1000)", "kernel", "-22 EINVAL");

    /// <summary>Groups covering every status: pass, fail with divergence, skip, timeout (a hang), error (a throw), xfail.
    /// The engine's group tests no kernel; the others speak for the host kernel.</summary>
    public static IReadOnlyList<TestGroup> EveryStatus() =>
    [
        new StaticTestGroup("engine", "conformance suite on the engine backend",
        [
            new RunnerTestCase("iommufd.trace.map_unmap", _ => CaseOutcome.Passed("12 steps")),
            new RunnerTestCase("iommufd.trace.needs_mock", _ => CaseOutcome.Skipped("needs IOMMUFD_TEST # and a mock domain")),
            new RunnerTestCase("iommufd.trace.known_gap", _ => new CaseOutcome(TestStatus.XFail, "spec and kernel differ; kernel wins")),
            new RunnerTestCase("iommufd.trace.broken", _ => throw new InvalidOperationException("adapter\nbroke")),
        ]) { EngineOnly = true },
        new StaticTestGroup("diff_engine_kernel", "differential: engine against kernel",
        [
            new RunnerTestCase("iommufd.diff.map_unmap", _ => CaseOutcome.Diverged(MapDivergence, new string('x', 40000))),
            new RunnerTestCase("iommufd.random.seed_1", _ => { Thread.Sleep(Timeout.Infinite); return CaseOutcome.Passed(); }, TimeSpan.FromMilliseconds(200)),
            new RunnerTestCase("iommufd.random.seed_2", _ => CaseOutcome.Passed()),
        ]),
        new StaticTestGroup("kernel", "conformance suite on the kernel backend",
            [new RunnerTestCase("iommufd.trace.map_unmap", _ => CaseOutcome.Passed())], SkipReason: "no /dev/iommu"),
    ];

    /// <summary>Runs <paramref name="groups"/> with a KTAP sink and a store in <paramref name="output"/>.</summary>
    public static (string Ktap, RunSummary Summary, ResultStore Store) Execute(IReadOnlyList<TestGroup> groups, string output, ExecutorLimits? limits = null, CancellationToken stop = default,
        RunEnvironment? environment = null)
    {
        var ktap = new StringWriter();
        var store = new ResultStore(output, AllWriters(output), TimeSpan.Zero);
        var executor = new SuiteExecutor(limits ?? new ExecutorLimits(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)), [new KtapSink(ktap), store]);
        RunSummary summary = executor.Execute(environment ?? Environment(), groups, stop);
        return (ktap.ToString(), summary, store);
    }

    /// <summary>Every writer RunVerb uses, each checking its output against the format's schema.</summary>
    public static IRunFileWriter[] AllWriters(string output) =>
        [.. new IRunFileWriter[] { new SummaryJsonWriter(), new JunitXmlWriter(), new KcidbWriter(Hosting.RunSinks.OutputUrl(new Hosting.RunnerOptions(), output)), new MarkdownReportWriter() }
            .Select(w => new FormatSchemas.Validating(w))];
}
