namespace IommuFd.Conformance.FailNth;

/// <summary>The IOVA window the state probe scans page by page for what is mapped, per IOAS.</summary>
/// <param name="Start">First IOVA scanned.</param>
/// <param name="Length">Bytes scanned.</param>
/// <param name="Granule">Step of the scan (a page).</param>
public sealed record ProbeWindow(ulong Start, ulong Length, ulong Granule)
{
    /// <summary>The first MiB in 4 KiB pages: where the fail-nth sequences map.</summary>
    public static ProbeWindow FirstMegabyte { get; } = new(0, 1UL << 20, 4096);
}
