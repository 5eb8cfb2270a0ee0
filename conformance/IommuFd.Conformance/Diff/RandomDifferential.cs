using Stopwatch = System.Diagnostics.Stopwatch;
using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Random;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Diff;

/// <summary>What a random differential session did.</summary>
/// <param name="Seed">The generator seed.</param>
/// <param name="Sequences">Sequences run.</param>
/// <param name="Steps">Steps run (both backends ran each).</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="Report">One entry per diverging sequence, shrunk to a minimal trace.</param>
public sealed record RandomDifferentialResult(int Seed, int Sequences, int Steps, TimeSpan Elapsed, DivergenceReport Report);

/// <summary>Runs seeded random sequences on two backends, diffs every step, shrinks each diverging
/// sequence to a minimal trace and optionally saves it (as a regression trace).</summary>
/// <param name="a">First backend (e.g. the kernel).</param>
/// <param name="b">Second backend (e.g. the engine).</param>
public sealed class RandomDifferential(IIommuBackend a, IIommuBackend b)
{
    /// <summary>Name of the first backend in reports.</summary>
    public string NameA { get; init; } = a.Name;

    /// <summary>Name of the second backend in reports.</summary>
    public string NameB { get; init; } = b.Name;

    /// <summary>Called with each sequence's replays (before any shrinking), e.g. to count the ops run.</summary>
    public Action<DifferentialRun>? Observe { get; init; }

    /// <summary>Runs the sequences of <paramref name="generator"/> (a <see cref="SequenceGenerator"/>) until
    /// <paramref name="sequences"/> are done or <paramref name="time"/> has passed (whichever limits are given),
    /// or <paramref name="maxDivergences"/> were found.</summary>
    /// <param name="generator">The seeded source of sequences.</param>
    /// <param name="sequences">How many sequences at most (null: no count limit).</param>
    /// <param name="steps">Random steps per sequence (after its set-up).</param>
    /// <param name="time">Time budget (null: none). With neither limit, one sequence runs.</param>
    /// <param name="saveDirectory">Where minimal traces are saved as <c>NAME.jsonl</c>; null to not save.</param>
    /// <param name="maxDivergences">Stop after this many divergences.</param>
    public RandomDifferentialResult Run(ISequenceGenerator generator, int? sequences, int steps, TimeSpan? time = null,
                                        string? saveDirectory = null, int maxDivergences = 5)
    {
        if (sequences is null && time is null)
            sequences = 1;
        var report = new DivergenceReport();
        var clock = Stopwatch.StartNew();
        int done = 0, stepCount = 0;
        while ((sequences is null || done < sequences) && (time is null || clock.Elapsed < time) && report.Entries.Count < maxDivergences)
        {
            Trace trace = generator.Next(steps);
            done++;
            stepCount += trace.Steps.Count;
            DifferentialRun run = DifferentialRun.Execute(trace, a, b);
            Observe?.Invoke(run);
            if (run.Divergence is null)
                continue;
            Trace minimal = DifferentialRun.Minimize(trace, a, b).WithName(trace.Name + "-min");
            Divergence divergence = DifferentialRun.Execute(minimal, a, b).Divergence ?? run.Divergence;
            if (divergence == run.Divergence)
                minimal = trace; // shrinking lost the failure (a flaky backend): report the original
            string? saved = saveDirectory is null ? null : Save(minimal, saveDirectory);
            report.Add(DivergenceEntry.Create(minimal, NameA, NameB, divergence, saved));
        }
        return new RandomDifferentialResult(generator.Seed, done, stepCount, clock.Elapsed, report);
    }

    private static string Save(Trace trace, string directory)
    {
        string path = Path.Combine(directory, trace.Name + ".jsonl");
        trace.Save(path);
        return path;
    }
}
