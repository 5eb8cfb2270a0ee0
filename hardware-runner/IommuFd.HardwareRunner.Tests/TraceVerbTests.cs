using System.Text.Json;
using IommuFd.Bindings.Backends;
using IommuFd.Engine;
using IommuFd.HardwareRunner.Adapters;
using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Hosting;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Suites;
using IommuFd.HardwareRunner.Tests.Support;

namespace IommuFd.HardwareRunner.Tests;

/// <summary><c>replay</c> and <c>diff</c> through the host with the real adapter and engine: one JSON
/// line per step, and a run's repro file taken as it is.</summary>
public sealed class TraceVerbTests
{
    /// <summary>The engine, and a backend that refuses every IOMMU_IOAS_MAP.</summary>
    private sealed class WrongProvider : IBackendProvider
    {
        public string Name => "wrong";
        public string? Unavailable() => null;
        public IIommuBackend Create() => new MapRejectingBackend(new EngineBackend());
    }

    private static RunnerComponents Components() => new(new ConformanceSuiteAdapter { MinimizeAttempts = 200 },
        new Dictionary<string, IBackendProvider> { ["engine"] = new EngineProvider(), ["wrong"] = new WrongProvider(), ["kernel"] = new FakeProvider("kernel", "no /dev/iommu") }, null);

    private static async Task<(int Exit, string Out, string Err)> Verb(VerbRequest request)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await RunnerHost.RunAsync(request, new Dictionary<string, string?>(), Components(), new ConsoleStreams(output, error, false));
        return (exit, output.ToString(), error.ToString());
    }

    private static string RepositoryTrace()
    {
        string? repo = RepositoryLocator.Find();
        string folder = Path.Combine(repo ?? "", "conformance", "traces", "selftest");
        if (repo is null || !Directory.Exists(folder)) Assert.Ignore("the repository's conformance/traces is not above the test assembly");
        return Directory.EnumerateFiles(folder, "*.jsonl").Order(StringComparer.Ordinal).First();
    }

    [Test]
    public async Task ReplayPrintsOneJsonLinePerStepAndItsVerdictOnStderr()
    {
        string trace = RepositoryTrace();
        var (exit, output, error) = await Verb(new VerbRequest("replay", "replay") { TraceFile = trace, Backend = "engine" });

        Assert.That(exit, Is.EqualTo(ExitCodes.Pass), error);
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.That(lines, Has.Length.EqualTo(File.ReadAllLines(trace).Length), "one line per step");
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument step = JsonDocument.Parse(lines[i]);
            Assert.That(step.RootElement.GetProperty("step").GetInt32(), Is.EqualTo(i));
            Assert.That(step.RootElement.TryGetProperty("rc", out _) && step.RootElement.TryGetProperty("errno", out _), Is.True);
        }
        Assert.That(KtapDocument.Parse(error).Results.Single().Ok, Is.True, "the verdict, as KTAP, on stderr");
    }

    [Test]
    public async Task AReproFileOfARunReplaysAndDiffsAsItIs()
    {
        using var temp = new TempDirectory();
        CaseOutcome? diverged = null;
        var adapter = new ConformanceSuiteAdapter { MinimizeAttempts = 200 };
        for (int seed = 1; seed <= 20 && diverged is null; seed++)
        {
            using var engine = new EngineBackend();
            using var wrong = new MapRejectingBackend(new EngineBackend());
            CaseOutcome outcome = adapter.DiffRandom(seed, 40, engine, wrong, CancellationToken.None);
            if (outcome.Repro is not null) diverged = outcome;
        }
        Assert.That(diverged, Is.Not.Null, "no seed in 1..20 mapped anything");
        Samples.Execute([new StaticTestGroup("diff_engine_wrong", "diff", [new RunnerTestCase("iommufd.random.seed_x", _ => diverged!)])], temp.Path);
        string repro = temp.Combine("repro", "diff_engine_wrong.iommufd.random.seed_x.jsonl");

        var (replayExit, steps, replayError) = await Verb(new VerbRequest("replay", "replay") { TraceFile = repro, Backend = "engine" });
        Assert.That(replayExit, Is.EqualTo(ExitCodes.Pass), replayError);
        Assert.That(steps.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(File.ReadAllLines(repro).Length));

        var (diffExit, ktap, _) = await Verb(new VerbRequest("diff", "diff") { TraceFile = repro, Backend = "engine", OtherBackend = "wrong" });
        Assert.That(diffExit, Is.EqualTo(ExitCodes.Fail), "the shrunk trace still diverges");
        Assert.That(KtapDocument.Parse(ktap).Results.Single().Subtest!.Results.Single().Diagnostics, Has.Some.StartsWith("first divergence at step"));
    }

    [Test]
    public async Task AMissingTraceFileIsOneLineAndExit64()
    {
        var (exit, output, error) = await Verb(new VerbRequest("replay", "replay") { TraceFile = "/nonexistent/trace.jsonl", Backend = "engine" });

        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error, Is.EqualTo("IommuFd.HardwareRunner: trace file /nonexistent/trace.jsonl does not exist\n"));
        Assert.That(output, Is.Empty);
    }

    [Test]
    public async Task AMissingBackendIsOneLineAndAFailedCommand()
    {
        var (exit, output, error) = await Verb(new VerbRequest("replay", "replay") { TraceFile = RepositoryTrace(), Backend = "kernel" });

        Assert.That(exit, Is.EqualTo(ExitCodes.Fail));
        Assert.That(error, Is.EqualTo("IommuFd.HardwareRunner: backend kernel unavailable: no /dev/iommu\n"));
        Assert.That(output, Is.Empty);
    }
}
