using System.Globalization;
using System.Text.Json.Nodes;
using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Random;

/// <summary>How often each kind of call ran in replayed traces and how often it succeeded: the evidence that
/// a random run reaches every op (and its error paths). A kind is the ioctl's name (IOMMU_TEST_CMD with its
/// op), <c>fdread</c>, <c>fdwrite</c> or <c>close</c>.</summary>
public sealed class OpCoverage
{
    private static readonly string[] TestOps =
    [
        "?", "ADD_RESERVED", "MOCK_DOMAIN", "MD_CHECK_MAP", "MD_CHECK_REFS", "CREATE_ACCESS", "DESTROY_ACCESS_PAGES",
        "ACCESS_PAGES", "ACCESS_RW", "SET_TEMP_MEMORY_LIMIT", "MOCK_DOMAIN_REPLACE", "ACCESS_REPLACE_IOAS",
        "MOCK_DOMAIN_FLAGS", "DIRTY", "MD_CHECK_IOTLB", "TRIGGER_IOPF",
    ];

    private readonly SortedDictionary<string, (int Ok, int Failed)> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<int, int>> _errnos = [];

    /// <summary>The kind of a step, or null for steps that are not calls (alloc, write, read, open).</summary>
    public static string? Kind(TraceStep step) => step switch
    {
        IoctlStep { Command: "IOMMU_TEST_CMD", Arg: { } arg } when arg["op"] is JsonValue op && op.TryGetValue(out uint n) =>
            n < TestOps.Length && n > 0 ? $"IOMMU_TEST_CMD op {n} {TestOps[n]}" : "IOMMU_TEST_CMD unknown op",
        IoctlStep ioctl => ioctl.Command,
        FdReadStep => "fdread",
        FdWriteStep => "fdwrite",
        CloseStep => "close",
        _ => null,
    };

    /// <summary>Counts the calls of a trace by the results of one replay.</summary>
    public void Add(Trace trace, IReadOnlyList<StepResult> results)
    {
        for (int i = 0; i < trace.Steps.Count && i < results.Count; i++)
        {
            if (Kind(trace.Steps[i]) is not { } kind)
                continue;
            (int ok, int failed) = _counts.GetValueOrDefault(kind);
            _counts[kind] = results[i].Rc >= 0 ? (ok + 1, failed) : (ok, failed + 1);
            if (results[i].Rc >= 0)
                continue;
            SortedDictionary<int, int> errnos = _errnos.TryGetValue(kind, out var known) ? known : _errnos[kind] = [];
            errnos[results[i].Errno] = errnos.GetValueOrDefault(results[i].Errno) + 1;
        }
    }

    /// <summary>Each kind with its successes and failures.</summary>
    public IReadOnlyDictionary<string, (int Ok, int Failed)> Counts => _counts;

    /// <summary>One line per kind: <c>KIND: N ok, M failed (errno E xK, ...)</c>.</summary>
    public string ToTable() => string.Join('\n', _counts.Select(c =>
        string.Create(CultureInfo.InvariantCulture, $"{c.Key}: {c.Value.Ok} ok, {c.Value.Failed} failed") +
        (_errnos.TryGetValue(c.Key, out var errnos)
            ? " (" + string.Join(", ", errnos.Select(e => string.Create(CultureInfo.InvariantCulture, $"errno {e.Key} x{e.Value}"))) + ")"
            : "")));
}
