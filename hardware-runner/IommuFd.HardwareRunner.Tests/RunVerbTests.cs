using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Hosting;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Suites;
using IommuFd.HardwareRunner.Tests.Support;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>The run verb end to end through the generic host, with a scripted suite and backends.</summary>
public sealed class RunVerbTests
{
    // These runs script their own backends; a CI job that demands the real kernel
    // (IOMMUFD_REQUIRE_KERNEL=1) must not leak into them.
    private string? _requireKernel;

    [SetUp]
    public void HideTheCallersKernelDemand()
    {
        _requireKernel = Environment.GetEnvironmentVariable("IOMMUFD_REQUIRE_KERNEL");
        Environment.SetEnvironmentVariable("IOMMUFD_REQUIRE_KERNEL", null);
    }

    [TearDown]
    public void RestoreTheCallersKernelDemand() => Environment.SetEnvironmentVariable("IOMMUFD_REQUIRE_KERNEL", _requireKernel);

    private static async Task<(int Exit, string Out, string Err)> Run(TempDirectory temp, FakeSuite suite, Dictionary<string, IBackendProvider> backends, Dictionary<string, string?> configuration, string verb = "run")
    {
        configuration.TryAdd("OutputDirectory", temp.Combine("out"));
        configuration.TryAdd("TracesDirectory", temp.Path);
        configuration.TryAdd("Vm", "none");
        configuration.TryAdd("Lava", "off");
        configuration.TryAdd("ReportRewriteIntervalMilliseconds", "0");
        configuration.TryAdd("RandomSequences", "2");
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await RunnerHost.RunAsync(new VerbRequest(verb, verb), configuration, new RunnerComponents(suite, backends, null), new ConsoleStreams(output, error, false));
        return (exit, output.ToString(), error.ToString());
    }

    private static Dictionary<string, IBackendProvider> EngineOnly() => new()
    {
        ["engine"] = new FakeProvider("engine"),
        ["kernel"] = new FakeProvider("kernel", "no /dev/iommu"),
    };

    [Test]
    public async Task DefaultRunOnAHostWithoutIommufdRunsTheEngineAndWritesEveryFile()
    {
        using var temp = new TempDirectory();
        var (exit, output, _) = await Run(temp, new FakeSuite { TraceNames = ["map_unmap", "skip_me"] }, EngineOnly(), []);

        Assert.That(exit, Is.EqualTo(ExitCodes.Pass), output);
        KtapDocument doc = KtapDocument.Parse(output);
        Assert.That(doc.Results.Select(r => r.Name), Is.EqualTo(new[] { "engine" }), "no kernel group without /dev/iommu unless asked");
        Assert.That(doc.Results[0].Subtest!.Results.Select(r => r.Name), Is.EqualTo(new[]
        {
            "iommufd.trace.map_unmap", "iommufd.trace.skip_me", "iommufd.random.seed_1", "iommufd.random.seed_2",
        }));
        foreach (string file in new[] { "summary.json", "junit.xml", "kcidb.json", "report.md", "results.jsonl" })
            Assert.That(File.Exists(temp.Combine("out", file)), Is.True, file);
        Assert.That(SummaryJsonWriter.Read(temp.Combine("out", "summary.json"))!.State, Is.EqualTo(RunState.Complete));
    }

    [Test]
    public async Task DemandedKernelThatIsMissingFailsInsteadOfSkipping()
    {
        using var temp = new TempDirectory();
        var (exit, output, _) = await Run(temp, new FakeSuite { TraceNames = ["map_unmap"] }, EngineOnly(),
            new() { ["Backends:0"] = "engine", ["Backends:1"] = "kernel" });

        Assert.That(exit, Is.EqualTo(ExitCodes.Fail));
        KtapDocument doc = KtapDocument.Parse(output);
        Assert.That(doc.Results.Select(r => (r.Name, r.Ok)), Is.EqualTo(new[] { ("engine", true), ("kernel", false), ("diff_engine_kernel", false) }));
        Assert.That(doc.Results[1].Subtest!.Results[0].Diagnostics.Single(), Does.Contain("demanded backend unavailable: no /dev/iommu"));
    }

    [Test]
    public async Task TwoBackendsAreDiffedAndADivergenceFailsTheRun()
    {
        using var temp = new TempDirectory();
        var backends = new Dictionary<string, IBackendProvider> { ["engine"] = new FakeProvider("engine"), ["kernel"] = new FakeProvider("kernel") };
        var (exit, output, _) = await Run(temp, new FakeSuite { TraceNames = ["map_unmap", "diverge"], DivergingSeeds = [2] }, backends,
            new() { ["Backends:0"] = "engine", ["Backends:1"] = "kernel" });

        Assert.That(exit, Is.EqualTo(ExitCodes.Fail));
        KtapDocument.Result diff = KtapDocument.Parse(output).Results[2];
        Assert.That(diff.Name, Is.EqualTo("diff_engine_kernel"));
        Assert.That(diff.Subtest!.Results.Select(r => (r.Name, r.Ok)), Is.EqualTo(new[]
        {
            ("iommufd.diff.map_unmap", true), ("iommufd.diff.diverge", false), ("iommufd.random.seed_1", true), ("iommufd.random.seed_2", false),
        }));
        Assert.That(File.ReadAllText(temp.Combine("out", "report.md")), Does.Contain("## Divergences (2)"));
    }

    [Test]
    public async Task DryRunPrintsThePlanAndWritesNoResults()
    {
        using var temp = new TempDirectory();
        var (exit, output, _) = await Run(temp, new FakeSuite(), EngineOnly(), new() { ["DryRun"] = "true" });

        Assert.That(exit, Is.EqualTo(ExitCodes.Pass));
        Assert.That(output, Does.Contain("# dry run").And.Contain("vfio-pci allowlist: empty (no device will be touched)").And.Contain("# group engine"));
        Assert.That(Directory.Exists(temp.Combine("out")), Is.False);
    }

    [Test]
    public async Task HangingBackendCallBecomesATimeoutNotAHungRunner()
    {
        using var temp = new TempDirectory();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (exit, output, _) = await Run(temp, new FakeSuite { TraceNames = ["hang", "map_unmap"] }, EngineOnly(), new() { ["TestTimeoutSeconds"] = "0.3" });

        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
        Assert.That(exit, Is.EqualTo(ExitCodes.Fail));
        var cases = KtapDocument.Parse(output).Results[0].Subtest!.Results;
        Assert.That(cases[0].Directive, Does.StartWith("TIMEOUT"));
        Assert.That(cases[1].Ok, Is.True);
    }
}
