using IommuFd.Bindings;

namespace IommuFd.Conformance.FailNth;

/// <summary>Settings of a fail-nth sweep.</summary>
public sealed record FailNthOptions
{
    /// <summary>The errnos a call may return when the fault is injected inside it: ENOMEM for a failed
    /// slab allocation (failslab), and the errnos of iommufd's own fault points (the <c>fail_iommufd</c>
    /// attribute of CONFIG_IOMMUFD_TEST, sharing the task's fail-nth counter): ENOENT from the object
    /// lookup (iommufd_get_object), EINVAL (reserved-region enforcement, the pages xarray, access rw),
    /// EFAULT (pinning user pages), ENOMEM (pinned-page accounting).</summary>
    public IReadOnlySet<int> CleanErrnos { get; init; } = new HashSet<int>
    {
        (int)Errno.ENOMEM, (int)Errno.ENOENT, (int)Errno.EINVAL, (int)Errno.EFAULT,
    };

    /// <summary>The window the state probe scans for mappings.</summary>
    public ProbeWindow Window { get; init; } = ProbeWindow.FirstMegabyte;

    /// <summary>Object IDs 1..this are probed.</summary>
    public int MaxObjectId { get; init; } = 16;

    /// <summary>False for a sequence where a fault the kernel absorbs (the faulted call still succeeds)
    /// changes what the kernel does in a way the engine cannot see: such runs get the kernel-side checks
    /// only (no report in the kernel log); runs whose faulted call fails are compared in full.</summary>
    public bool AbsorbedFaultsModelled { get; init; } = true;

    /// <summary>Safety limit on N: a sweep that still injects at this N stops and reports it.</summary>
    public uint MaxNth { get; init; } = 2000;
}
