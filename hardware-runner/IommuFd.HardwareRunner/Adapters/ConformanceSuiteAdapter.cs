using System.Text;
using IommuFd.Bindings.Backends;
using IommuFd.Conformance;
using IommuFd.Conformance.Diff;
using IommuFd.Conformance.Random;
using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Requirements;
using IommuFd.Conformance.Traces;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Suites;
using RunnerDivergence = IommuFd.HardwareRunner.Model.Divergence;

namespace IommuFd.HardwareRunner.Adapters;

/// <summary>The runner's conformance work over IommuFd.Conformance: traces are the repository's
/// JSON Lines files (named by their path, <c>selftest/ioas-area.jsonl</c> becoming
/// <c>selftest-ioas-area</c>), replayed with <see cref="TraceReplayer"/>, compared with
/// <see cref="DifferentialRun"/>; random sequences come from <see cref="SequenceGenerator"/> (no devices, for the kernel the engine models here), and a
/// diverging one is shrunk to a minimal trace, the outcome's <see cref="CaseOutcome.Repro"/>, which
/// the runner saves as a repro file that <c>replay</c> and <c>diff</c> read as it is.
/// A trace's needs (its folder's <c>requires.json</c>) are probed on each backend first: an unmet
/// need, or a replay that never got past the trace's set-up, is a SKIP with the reason, never a pass.</summary>
public sealed class ConformanceSuiteAdapter : IConformanceSuite
{
    /// <summary>Replays spent shrinking a diverging random sequence.</summary>
    public int MinimizeAttempts { get; init; } = 300;

    /// <inheritdoc />
    public IReadOnlyList<TraceFile> DiscoverTraces(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*.jsonl", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => new TraceFile(path, CaseNames.Segment(Path.ChangeExtension(Path.GetRelativePath(directory, path), null).Replace('/', '-')), directory))];

    /// <inheritdoc />
    public TraceReplay Replay(TraceFile trace, IIommuBackend backend, CancellationToken cancellationToken) =>
        Load(trace, out Trace? loaded, out TraceRequirements? needs) is { } unreadable ? new TraceReplay(unreadable, []) : ReplayOn(loaded!, needs!, backend);

    /// <inheritdoc />
    public CaseOutcome Diff(TraceFile trace, IIommuBackend left, IIommuBackend right, CancellationToken cancellationToken) =>
        Load(trace, out Trace? loaded, out TraceRequirements? needs) ?? NotForThisKernel(loaded!) ?? Compare(loaded!, needs!, left, right, minimize: false);

    /// <summary>A SKIP naming the trace's kernels when its header leaves out the kernel the engine models
    /// here (the running one); null when it applies.</summary>
    private static CaseOutcome? NotForThisKernel(Trace trace)
    {
        Engine.KernelRelease kernel = TestKernelEngine.Options().Kernel;
        return trace.AppliesTo(kernel) ? null : CaseOutcome.Skipped($"the trace applies to kernels {trace.Kernels}; this kernel is {kernel}");
    }

    /// <inheritdoc />
    public CaseOutcome RunRandom(int seed, int length, IIommuBackend backend, CancellationToken cancellationToken) =>
        ReplayOn(RandomSequence(seed, length), TraceRequirements.None, backend).Outcome;

    /// <inheritdoc />
    public CaseOutcome DiffRandom(int seed, int length, IIommuBackend left, IIommuBackend right, CancellationToken cancellationToken) =>
        Compare(RandomSequence(seed, length), TraceRequirements.None, left, right, minimize: true);

    private static Trace RandomSequence(int seed, int length) =>
        new SequenceGenerator(seed, TestKernelEngine.Options().Kernel, SequenceScope.NoDevices).Next(length);

    /// <summary>Null when the trace and its requirements loaded; otherwise an ERROR outcome naming the file and line.</summary>
    private static CaseOutcome? Load(TraceFile trace, out Trace? loaded, out TraceRequirements? needs)
    {
        try
        {
            loaded = Trace.Load(trace.Path);
            needs = TraceRequirements.ForFile(trace.Path, trace.Root);
            return null;
        }
        catch (Exception e) when (e is TraceFormatException or IOException or UnauthorizedAccessException)
        {
            (loaded, needs) = (null, null);
            return new CaseOutcome(TestStatus.Error, $"trace unreadable: {e.Message}");
        }
    }

    /// <summary>Every step must answer as the kernel does, with a value or an errno; a backend that
    /// throws fails the case (the engine's contract: never an unhandled exception).</summary>
    private static TraceReplay ReplayOn(Trace trace, TraceRequirements needs, IIommuBackend backend)
    {
        if (needs.Unmet(backend) is { } unmet)
            return new TraceReplay(CaseOutcome.Skipped(unmet), []);
        IReadOnlyList<StepResult> results;
        try
        {
            results = TraceReplayer.Replay(backend, trace);
        }
        catch (Exception e) when (e is not TraceFormatException)
        {
            return new TraceReplay(CaseOutcome.Failed($"the {backend.Name} backend threw {e.GetType().Name}: {e.Message}", e.ToString()), []);
        }
        if (needs.SetUpNotReached(trace, results) is { } notReached)
            return new TraceReplay(CaseOutcome.Skipped($"{notReached} on {backend.Name}"), [.. results.Select(r => r.ToJson())]);
        int errnos = results.Count(r => r.Errno != 0);
        return new TraceReplay(CaseOutcome.Passed($"{trace.Name}: {results.Count} step(s) on {backend.Name}, {errnos} answered with an errno"),
            [.. results.Select(r => r.ToJson())]);
    }

    private CaseOutcome Compare(Trace trace, TraceRequirements needs, IIommuBackend left, IIommuBackend right, bool minimize)
    {
        if (needs.Unmet(left, right) is { } unmet)
            return CaseOutcome.Skipped(unmet);
        DifferentialRun run;
        try
        {
            run = DifferentialRun.Execute(trace, left, right);
        }
        catch (Exception e) when (e is not TraceFormatException)
        {
            return CaseOutcome.Failed($"a backend threw {e.GetType().Name}: {e.Message}", e.ToString());
        }
        // Agreeing on every step proves nothing when neither replay got past the set-up (both EINVAL at MOCK_DOMAIN, say).
        if (run.Divergence is null && needs.SetUpNotReached(trace, run.A) is { } notReached)
            return CaseOutcome.Skipped($"{notReached} on {left.Name} or {right.Name}");
        if (run.Divergence is not { } divergence)
            return CaseOutcome.Passed($"{trace.Name}: {trace.Steps.Count} step(s), {left.Name} and {right.Name} agree on every one");

        var report = new DivergenceReport();
        var log = new StringBuilder();
        string? repro = null;
        if (minimize)
        {
            Trace minimal = DifferentialRun.Minimize(trace, left, right, MinimizeAttempts).WithName(trace.Name + "-min");
            DifferentialRun again = DifferentialRun.Execute(minimal, left, right);
            if (again.Divergence is { } kept)
            {
                (trace, divergence, repro) = (minimal, kept, minimal.ToJsonLines());
                log.Append($"shrunk to a minimal trace of {minimal.Steps.Count} step(s), kept as the case's repro file\n");
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
            left.Name, Side(divergence, a: true), right.Name, Side(divergence, a: false)), log.ToString()) with { Repro = repro };
    }

    /// <summary>One backend's side of the differing fields, e.g. <c>rc=-1, errno=22</c>.</summary>
    private static string Side(Conformance.Diff.Divergence divergence, bool a)
    {
        if ((a ? divergence.A : divergence.B) is null) return "(no result)";
        var fields = divergence.Differences.Select(f => $"{f.Path}={(a ? f.A : f.B) ?? "(absent)"}").ToList();
        return fields.Count > 0 ? string.Join(", ", fields) : ((a ? divergence.A : divergence.B)!).ToJson();
    }
}
