using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Hosting;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Suites;
using IommuFd.HardwareRunner.Tests.Support;
using IommuFd.Interop;

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
        _requireKernel = Environment.GetEnvironmentVariable(EnvironmentVariables.RequireKernel);
        Environment.SetEnvironmentVariable(EnvironmentVariables.RequireKernel, null);
    }

    [TearDown]
    public void RestoreTheCallersKernelDemand() => Environment.SetEnvironmentVariable(EnvironmentVariables.RequireKernel, _requireKernel);

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
    public async Task DemandedKernelThatIsMissingFailsTheRunButIsNeverAKernelFail()
    {
        using var temp = new TempDirectory();
        var (exit, output, _) = await Run(temp, new FakeSuite { TraceNames = ["map_unmap"] }, EngineOnly(),
            new() { ["Backends:0"] = "engine", ["Backends:1"] = "kernel" });

        Assert.That(exit, Is.EqualTo(ExitCodes.Fail));
        KtapDocument doc = KtapDocument.Parse(output);
        Assert.That(doc.Results.Select(r => (r.Name, r.Ok)), Is.EqualTo(new[] { ("engine", true), ("kernel", false), ("diff_engine_kernel", false) }));
        KtapDocument.Result missed = doc.Results[1].Subtest!.Results[0];
        Assert.That(missed.Diagnostics.Single(), Does.Contain("not run: demanded backend unavailable: no /dev/iommu"));
        Assert.That(missed.Directive, Is.Null, "not ok without SKIP: no KTAP reader may count it as skipped");
        string kcidb = File.ReadAllText(temp.Combine("out", "kcidb.json"));
        FormatSchemas.AssertValid(temp.Combine("out", "kcidb.json"));
        FormatSchemas.AssertValid(temp.Combine("out", "junit.xml"));
        var statuses = System.Text.Json.JsonDocument.Parse(kcidb).RootElement.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("status").GetString()).ToList();
        Assert.That(statuses, Is.Not.Empty.And.All.EqualTo("MISS"), "the kernel and diff cases; the engine's are not kernel results");
    }

    [Test]
    public async Task ADivergenceIsSavedAsAReproFileAndListedEverywhere()
    {
        using var temp = new TempDirectory();
        var backends = new Dictionary<string, IBackendProvider> { ["engine"] = new FakeProvider("engine"), ["kernel"] = new FakeProvider("kernel") };
        Directory.CreateDirectory(temp.Combine("out", "repro"));
        File.WriteAllText(temp.Combine("out", "repro", "diff_engine_kernel.iommufd.random.seed_9.jsonl"), "an earlier run's\n");
        var (exit, output, _) = await Run(temp, new FakeSuite { TraceNames = ["map_unmap"], DivergingSeeds = [2] }, backends,
            new() { ["Backends:0"] = "engine", ["Backends:1"] = "kernel" });

        Assert.That(exit, Is.EqualTo(ExitCodes.Fail));
        const string file = "repro/diff_engine_kernel.iommufd.random.seed_2.jsonl";
        Assert.That(Directory.GetFiles(temp.Combine("out", "repro")).Select(Path.GetFileName), Is.EqualTo(new[] { "diff_engine_kernel.iommufd.random.seed_2.jsonl" }),
            "this run's repro files only");
        Assert.That(File.ReadAllText(temp.Combine("out", file)), Is.EqualTo(FakeSuite.ReproOf(2)));
        Assert.That(File.ReadAllText(temp.Combine("out", "report.md")), Does.Contain($"[`{file}`]({file})").And.Contain($"IommuFd.HardwareRunner replay {file} --backend kernel"));
        Assert.That(KtapDocument.Parse(output).Results[2].Subtest!.Results.Single(r => r.Name == "iommufd.random.seed_2").Diagnostics, Does.Contain($"repro file: {file}"));
        Assert.That(File.ReadAllText(temp.Combine("out", "kcidb.json")), Does.Contain(new Uri(temp.Combine("out", file)).AbsoluteUri));
        FormatSchemas.AssertValid(temp.Combine("out", "kcidb.json"));
    }

    [Test]
    public async Task ARunOnTheEngineAloneWritesNoKernelResultsToKcidb()
    {
        using var temp = new TempDirectory();
        var (exit, _, _) = await Run(temp, new FakeSuite { TraceNames = ["map_unmap"] }, EngineOnly(), []);

        Assert.That(exit, Is.EqualTo(ExitCodes.Pass));
        FormatSchemas.AssertValid(temp.Combine("out", "kcidb.json"));
        Assert.That(System.Text.Json.JsonDocument.Parse(File.ReadAllText(temp.Combine("out", "kcidb.json"))).RootElement.GetProperty("tests").GetArrayLength(), Is.Zero);
    }

    /// <summary>A path that is named but missing or unwritable stops the run before anything runs:
    /// exit 64, one line naming the setting, its option and the path, no stack trace, no output folder.</summary>
    [TestCase("TracesDirectory", "/nonexistent/traces", "TracesDirectory (--traces): folder /nonexistent/traces does not exist")]
    [TestCase("NUnitAssemblies:0", "/nonexistent/Tests.dll", "NUnitAssemblies (--nunit): /nonexistent/Tests.dll does not exist")]
    [TestCase("VmSettings:KernelImage", "/nonexistent/bzImage", "VmSettings:KernelImage (--kernel): /nonexistent/bzImage does not exist")]
    [TestCase("OutputDirectory", "/nonexistent/parent/out", "OutputDirectory (--output): the parent folder /nonexistent/parent does not exist")]
    [TestCase("OutputDirectory", "/proc/IommuFd.HardwareRunner.Tests", "OutputDirectory (--output): /proc cannot be written")]
    public async Task ABadPathIsOneLineAndExit64(string key, string value, string message)
    {
        using var temp = new TempDirectory();
        var suite = new FakeSuite();
        var (exit, output, error) = await Run(temp, suite, EngineOnly(), new() { [key] = value });

        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error, Does.StartWith($"IommuFd.HardwareRunner: {message}"));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(output, Is.Empty, "nothing ran");
        Assert.That(Directory.Exists(temp.Combine("out")), Is.False);
    }

    [Test]
    public async Task AnOutputPathThatIsAFileIsRefused()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("out"), "");
        var (exit, _, error) = await Run(temp, new FakeSuite(), EngineOnly(), []);

        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error, Is.EqualTo($"IommuFd.HardwareRunner: OutputDirectory (--output): {temp.Combine("out")} is a file, not a folder\n"));
    }

    [Test]
    public async Task TheDefaultOutputFolderIsCreatedWithItsParents()
    {
        using var temp = new TempDirectory();
        string previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(temp.Path);
        try
        {
            var (exit, _, error) = await Run(temp, new FakeSuite { TraceNames = ["map_unmap"] }, EngineOnly(), new() { ["OutputDirectory"] = RunnerOptions.DefaultOutputDirectory });
            Assert.That(exit, Is.EqualTo(ExitCodes.Pass), error);
            Assert.That(File.Exists(temp.Combine("artifacts", "hardware-runner", "kcidb.json")), Is.True);
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
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

    private sealed class FailingVerb(Exception e) : IVerb
    {
        public int Run(CancellationToken stoppingToken) => throw e;
    }

    [Test]
    public async Task AFileSystemProblemDuringAVerbIsOneLineWithoutAStackTrace()
    {
        var error = new StringWriter();
        var exitCode = new ExitCodeHolder();
        var lifetime = new Microsoft.Extensions.Hosting.Internal.ApplicationLifetime(Microsoft.Extensions.Logging.Abstractions.NullLogger<Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>.Instance);
        using var service = new RunnerService(new FailingVerb(new IOException("No space left on device : '/out/junit.xml'")), new VerbRequest("run", "run"), exitCode, lifetime,
            new ConsoleStreams(new StringWriter(), error, false), Microsoft.Extensions.Logging.Abstractions.NullLogger<RunnerService>.Instance);

        await service.StartAsync(CancellationToken.None);
        await service.ExecuteTask!;

        Assert.That(exitCode.Code, Is.EqualTo(ExitCodes.Fail));
        Assert.That(error.ToString(), Is.EqualTo("IommuFd.HardwareRunner: the run command failed: No space left on device : '/out/junit.xml'\n"));
    }
}
