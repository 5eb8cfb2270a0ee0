namespace IommuFd.Conformance.FailNth;

/// <summary>Which kernel log lines report a kernel problem (a splat), as iommufd_fail_nth.c looks for:
/// WARN, BUG, oops, KASAN/UBSAN, refcount and leak reports, lockdep, stack dumps.</summary>
public static class KernelReports
{
    private static readonly string[] Markers =
    [
        "WARNING:", "BUG:", "kernel BUG", "Oops", "KASAN", "UBSAN", "refcount", "leak",
        "general protection fault", "Call Trace", "possible circular locking", "INFO: task",
    ];

    /// <summary>The lines of <paramref name="lines"/> that report a problem.</summary>
    public static IReadOnlyList<string> Find(IEnumerable<string> lines) =>
        lines.Where(line => Markers.Any(marker => line.Contains(marker, StringComparison.Ordinal))).ToList();
}
