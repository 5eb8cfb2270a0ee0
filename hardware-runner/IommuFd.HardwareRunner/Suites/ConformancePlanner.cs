using IommuFd.Bindings.Backends;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Suites;

/// <summary>What to run: which backends, which were demanded, and the case inputs.</summary>
/// <param name="Backends">Backend names in order (engine first).</param>
/// <param name="Demanded">Backends whose absence is a failure (named explicitly, or IOMMUFD_REQUIRE_KERNEL=1).</param>
/// <param name="Traces">Trace files to replay.</param>
/// <param name="RandomSequences">Number of seeded sequences.</param>
/// <param name="RandomSeed">Seed of the first.</param>
/// <param name="SequenceLength">Steps per sequence.</param>
public sealed record ConformancePlan(
    IReadOnlyList<string> Backends,
    IReadOnlySet<string> Demanded,
    IReadOnlyList<TraceFile> Traces,
    int RandomSequences,
    int RandomSeed,
    int SequenceLength);

/// <summary>Turns a plan into test groups: one group per backend (every trace replayed, every
/// random sequence run), and one differential group per backend pair (every trace and sequence
/// on both, compared). A missing backend skips its groups with the reason; when that backend was
/// demanded, their cases are reported as not run (KCIDB MISS, a failed run), never as a FAIL of
/// the kernel. The engine's own group tests no kernel and is marked so.</summary>
public sealed class ConformancePlanner(IConformanceSuite suite, IReadOnlyDictionary<string, IBackendProvider> providers)
{
    /// <summary>The reference engine's backend name: its group tests no kernel.</summary>
    public const string EngineBackend = "engine";

    /// <summary>The groups for <paramref name="plan"/>.</summary>
    public IReadOnlyList<TestGroup> Groups(ConformancePlan plan)
    {
        var groups = new List<TestGroup>();
        var available = new List<IBackendProvider>();
        foreach (string name in plan.Backends)
        {
            string? missing = Missing(name);
            if (missing is null) available.Add(providers[name]);
            groups.Add(BackendGroup(plan, name, missing));
        }

        for (int i = 0; i < plan.Backends.Count; i++)
            for (int j = i + 1; j < plan.Backends.Count; j++)
                groups.Add(DiffGroup(plan, plan.Backends[i], plan.Backends[j]));
        return groups;
    }

    private string? Missing(string name) =>
        providers.TryGetValue(name, out IBackendProvider? provider) ? provider.Unavailable() : $"the {name} backend is not built into this runner";

    private TestGroup BackendGroup(ConformancePlan plan, string name, string? missing)
    {
        var cases = new List<RunnerTestCase>();
        foreach (TraceFile trace in plan.Traces)
            cases.Add(new RunnerTestCase(CaseNames.Trace(trace), ct => WithBackend(name, b => suite.Replay(trace, b, ct).Outcome)));
        foreach (int seed in Seeds(plan))
            cases.Add(new RunnerTestCase(CaseNames.Random(seed), ct => WithBackend(name, b => suite.RunRandom(seed, plan.SequenceLength, b, ct))));
        var group = new StaticTestGroup(name, $"conformance suite on the {name} backend", cases) { EngineOnly = name == EngineBackend };
        return Guard(group, plan, [name], missing);
    }

    private TestGroup DiffGroup(ConformancePlan plan, string left, string right)
    {
        var cases = new List<RunnerTestCase>();
        foreach (TraceFile trace in plan.Traces)
            cases.Add(new RunnerTestCase(CaseNames.TraceDiff(trace), ct => WithBackends(left, right, (l, r) => suite.Diff(trace, l, r, ct))));
        foreach (int seed in Seeds(plan))
            cases.Add(new RunnerTestCase(CaseNames.Random(seed), ct => WithBackends(left, right, (l, r) => suite.DiffRandom(seed, plan.SequenceLength, l, r, ct))));
        string? missing = Missing(left) is { } a ? $"{left}: {a}" : Missing(right) is { } b ? $"{right}: {b}" : null;
        return Guard(new StaticTestGroup($"diff_{left}_{right}", $"differential: {left} against {right}", cases), plan, [left, right], missing);
    }

    /// <summary>A group whose backend is missing: skipped, or not run when the backend was demanded.</summary>
    private static TestGroup Guard(StaticTestGroup group, ConformancePlan plan, string[] backends, string? missing)
    {
        if (missing is null) return group;
        if (!backends.Any(plan.Demanded.Contains)) return group with { SkipReason = missing };
        var outcome = new CaseOutcome(TestStatus.NotRun, $"not run: demanded backend unavailable: {missing}");
        return group with { Cases = [.. group.Cases.Select(c => c with { Body = _ => outcome })] };
    }

    private static IEnumerable<int> Seeds(ConformancePlan plan) => Enumerable.Range(0, plan.RandomSequences).Select(i => plan.RandomSeed + i);

    private CaseOutcome WithBackend(string name, Func<IIommuBackend, CaseOutcome> body)
    {
        using IIommuBackend backend = providers[name].Create();
        return body(backend);
    }

    private CaseOutcome WithBackends(string left, string right, Func<IIommuBackend, IIommuBackend, CaseOutcome> body)
    {
        using IIommuBackend l = providers[left].Create();
        using IIommuBackend r = providers[right].Create();
        return body(l, r);
    }
}
