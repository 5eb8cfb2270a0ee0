using System.Text;
using IommuFd.Bindings.Backends;
using IommuFd.Conformance;
using IommuFd.Conformance.Diff;
using IommuFd.Conformance.Random;
using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Traces;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Suites;
using RunnerDivergence = IommuFd.HardwareRunner.Model.Divergence;

namespace IommuFd.HardwareRunner.Adapters;

/// <summary>The runner's conformance work over IommuFd.Conformance: traces are the repository's
/// JSON Lines files (named by their path, <c>selftest/ioas-area.jsonl</c> becoming
/// <c>selftest-ioas-area</c>), replayed with <see cref="TraceReplayer"/>, compared with
/// <see cref="DifferentialRun"/>; random sequences come from <see cref="SequenceGenerator"/>, and a
/// diverging one is shrunk to a minimal trace that goes into the log, ready for <c>replay</c>.</summary>
public sealed class ConformanceSuiteAdapter : IConformanceSuite
{
    /// <summary>Replays spent shrinking a diverging random sequence.</summary>
    public int MinimizeAttempts { get; init; } = 300;

    /// <inheritdoc />
    public IReadOnlyList<TraceFile> DiscoverTraces(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*.jsonl", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => new TraceFile(path, CaseNames.Segment(Path.ChangeExtension(Path.GetRelativePath(directory, path), null).Replace('/', '-'))))];

    /// <inheritdoc />
    public CaseOutcome Replay(TraceFile trace, IIommuBackend backend, CancellationToken cancellationToken) =>
        Load(trace, out Trace? loaded) ?? ReplayOn(loaded!, backend);

    /// <inheritdoc />
    public CaseOutcome Diff(TraceFile trace, IIommuBackend left, IIommuBackend right, CancellationToken cancellationToken) =>
        Load(trace, out Trace? loaded) ?? NotForThisKernel(loaded!) ?? Compare(loaded!, left, right, minimize: false);

    /// <summary>A SKIP naming the trace's kernels when its header leaves out the kernel the engine models
    /// here (the running one); null when it applies.</summary>
    private static CaseOutcome? NotForThisKernel(Trace trace)
    {
        Engine.KernelRelease kernel = TestKernelEngine.Options().Kernel;
        return trace.AppliesTo(kernel) ? null : CaseOutcome.Skipped($"the trace applies to kernels {trace.Kernels}; this kernel is {kernel}");
    }

    /// <inheritdoc />
    public CaseOutcome RunRandom(int seed, int length, IIommuBackend backend, CancellationToken cancellationToken) =>
        ReplayOn(new SequenceGenerator(seed).Next(length), backend);

    /// <inheritdoc />
    public CaseOutcome DiffRandom(int seed, int length, IIommuBackend left, IIommuBackend right, CancellationToken cancellationToken) =>
        Compare(new SequenceGenerator(seed).Next(length), left, right, minimize: true);

    /// <summary>Null when the trace loaded; otherwise an ERROR outcome naming the file and line.</summary>
    private static CaseOutcome? Load(TraceFile trace, out Trace? loaded)
    {
        try
        {
            loaded = Trace.Load(trace.Path);
            return null;
        }
        catch (Exception e) when (e is TraceFormatException or IOException or UnauthorizedAccessException)
        {
            loaded = null;
            return new CaseOutcome(TestStatus.Error, $"trace unreadable: {e.Message}");
        }
    }

    /// <summary>Every step must answer as the kernel does, with a value or an errno; a backend that
    /// throws fails the case (the engine's contract: never an unhandled exception).</summary>
    private static CaseOutcome ReplayOn(Trace trace, IIommuBackend backend)
    {
        IReadOnlyList<StepResult> results;
        try
        {
            results = TraceReplayer.Replay(backend, trace);
        }
        catch (Exception e) when (e is not TraceFormatException)
        {
            return CaseOutcome.Failed($"the {backend.Name} backend threw {e.GetType().Name}: {e.Message}", e.ToString());
        }
        int errnos = results.Count(r => r.Errno != 0);
        return CaseOutcome.Passed($"{trace.Name}: {results.Count} step(s) on {backend.Name}, {errnos} answered with an errno");
    }

    private CaseOutcome Compare(Trace trace, IIommuBackend left, IIommuBackend right, bool minimize)
    {
        DifferentialRun run;
        try
        {
            run = DifferentialRun.Execute(trace, left, right);
        }
        catch (Exception e) when (e is not TraceFormatException)
        {
            return CaseOutcome.Failed($"a backend threw {e.GetType().Name}: {e.Message}", e.ToString());
        }
        if (run.Divergence is not { } divergence)
            return CaseOutcome.Passed($"{trace.Name}: {trace.Steps.Count} step(s), {left.Name} and {right.Name} agree on every one");

        var report = new DivergenceReport();
        var log = new StringBuilder();
        if (minimize)
        {
            Trace minimal = DifferentialRun.Minimize(trace, left, right, MinimizeAttempts).WithName(trace.Name + "-min");
            DifferentialRun again = DifferentialRun.Execute(minimal, left, right);
            if (again.Divergence is { } kept)
            {
                (trace, divergence) = (minimal, kept);
                log.Append("shrunk to a minimal trace (save the trace lines below as a .jsonl file to replay it)\n");
            }
        }
        report.Add(DivergenceEntry.Create(trace, left.Name, right.Name, divergence));
        log.Append(report.ToText());

        TraceStep? step = divergence.Step < trace.Steps.Count ? trace.Steps[divergence.Step] : null;
        string operation = step switch
        {
            IoctlStep ioctl => ioctl.Command,
            null => "(past the end of the trace)",
            _ => step.ToJsonLine(),
        };
        return CaseOutcome.Diverged(new RunnerDivergence(divergence.Step, operation,
            left.Name, Side(divergence, a: true), right.Name, Side(divergence, a: false)), log.ToString());
    }

    /// <summary>One backend's side of the differing fields, e.g. <c>rc=-1, errno=22</c>.</summary>
    private static string Side(Conformance.Diff.Divergence divergence, bool a)
    {
        if ((a ? divergence.A : divergence.B) is null) return "(no result)";
        var fields = divergence.Differences.Select(f => $"{f.Path}={(a ? f.A : f.B) ?? "(absent)"}").ToList();
        return fields.Count > 0 ? string.Join(", ", fields) : ((a ? divergence.A : divergence.B)!).ToJson();
    }
}
