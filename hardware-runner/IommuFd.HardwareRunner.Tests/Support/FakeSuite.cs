using IommuFd.Bindings.Backends;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Suites;

namespace IommuFd.HardwareRunner.Tests.Support;

/// <summary>A conformance suite whose answers are scripted per trace name: "pass", "fail",
/// "diverge", "hang", "throw". Random sequences pass unless their seed is in <see cref="DivergingSeeds"/>;
/// a diverging one comes with a repro trace.</summary>
public sealed class FakeSuite : IConformanceSuite
{
    public List<string> TraceNames { get; init; } = ["map_unmap", "diverge", "skip_me"];
    public HashSet<int> DivergingSeeds { get; init; } = [];
    public TimeSpan Delay { get; init; } = TimeSpan.Zero;

    public IReadOnlyList<TraceFile> DiscoverTraces(string directory) =>
        [.. TraceNames.Select(n => new TraceFile(Path.Combine(directory, n + ".trace.json"), CaseNames.Segment(n)))];

    public TraceReplay Replay(TraceFile trace, IIommuBackend backend, CancellationToken ct) =>
        new(Answer(trace.CaseName, backend.Name, ct), [$"{{\"step\":0,\"rc\":0,\"errno\":0,\"backend\":\"{backend.Name}\"}}"]);

    public CaseOutcome Diff(TraceFile trace, IIommuBackend left, IIommuBackend right, CancellationToken ct) =>
        trace.CaseName == "diverge"
            ? CaseOutcome.Diverged(new Divergence(3, "IOMMU_IOAS_MAP", left.Name, "0 (iova 0x1000)", right.Name, "-22 EINVAL"))
            : Answer(trace.CaseName, left.Name, ct);

    public CaseOutcome RunRandom(int seed, int length, IIommuBackend backend, CancellationToken ct) => Answer("pass", backend.Name, ct);

    public CaseOutcome DiffRandom(int seed, int length, IIommuBackend left, IIommuBackend right, CancellationToken ct) =>
        DivergingSeeds.Contains(seed)
            ? CaseOutcome.Diverged(new Divergence(seed % 7, "IOMMU_IOAS_UNMAP", left.Name, "0", right.Name, "-2 ENOENT")) with { Repro = ReproOf(seed) }
            : Answer("pass", left.Name, ct);

    /// <summary>The shrunk trace a diverging seed reports.</summary>
    public static string ReproOf(int seed) => $"{{\"op\":\"ioctl\",\"cmd\":\"IOMMU_IOAS_ALLOC\"}}\n{{\"op\":\"ioctl\",\"cmd\":\"IOMMU_IOAS_UNMAP\",\"arg\":{{\"ioas_id\":{seed}}}}}\n";

    private CaseOutcome Answer(string name, string backend, CancellationToken ct)
    {
        if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
        return name switch
        {
            "hang" => Hang(),
            "throw" => throw new InvalidOperationException("adapter broke"),
            "skip_me" => CaseOutcome.Skipped("needs IOMMUFD_TEST"),
            "fail" => CaseOutcome.Failed($"step 2 on {backend}: expected 0, got -22"),
            _ => CaseOutcome.Passed(),
        };
    }

    /// <summary>Stands for an ioctl stuck in the kernel: ignores cancellation.</summary>
    private static CaseOutcome Hang()
    {
        Thread.Sleep(Timeout.Infinite);
        return CaseOutcome.Passed();
    }
}
