using IommuFd.Bindings;

namespace IommuFd.Conformance.FailNth;

/// <summary>Settings of a fail-nth sweep.</summary>
public sealed record FailNthOptions
{
    /// <summary>The errnos a call may return when an allocation inside it fails.</summary>
    public IReadOnlySet<int> CleanErrnos { get; init; } = new HashSet<int> { (int)Errno.ENOMEM };

    /// <summary>The window the state probe scans for mappings.</summary>
    public ProbeWindow Window { get; init; } = ProbeWindow.FirstMegabyte;

    /// <summary>Object IDs 1..this are probed.</summary>
    public int MaxObjectId { get; init; } = 16;

    /// <summary>Safety limit on N: a sweep that still injects at this N stops and reports it.</summary>
    public uint MaxNth { get; init; } = 2000;
}
