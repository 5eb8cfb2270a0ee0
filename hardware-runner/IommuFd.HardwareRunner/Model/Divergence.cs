namespace IommuFd.HardwareRunner.Model;

/// <summary>The first step where two backends answered differently, kept side by side.</summary>
/// <param name="Step">Zero-based index of the step in the trace or sequence.</param>
/// <param name="Operation">What the step did, e.g. <c>IOMMU_IOAS_MAP</c>.</param>
/// <param name="LeftBackend">Name of the first backend, e.g. <c>engine</c>.</param>
/// <param name="Left">What the first backend answered.</param>
/// <param name="RightBackend">Name of the second backend, e.g. <c>kernel</c>.</param>
/// <param name="Right">What the second backend answered.</param>
public sealed record Divergence(int Step, string Operation, string LeftBackend, string Left, string RightBackend, string Right)
{
    /// <summary>Diagnostic lines describing the divergence (no <c>#</c> prefix).</summary>
    public IReadOnlyList<string> Describe() =>
    [
        $"first divergence at step {Step}: {Operation}",
        $"{LeftBackend}: {Left}",
        $"{RightBackend}: {Right}",
    ];
}
