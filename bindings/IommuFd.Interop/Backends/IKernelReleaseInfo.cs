namespace IommuFd.Bindings.Backends;

/// <summary>A backend that knows which kernel release it answers as (the engine's modelled release).
/// A backend without it is the running kernel, whose release is /proc/sys/kernel/osrelease.</summary>
public interface IKernelReleaseInfo
{
    /// <summary>The release, e.g. <c>6.12.118</c> or <c>7.3.4</c>.</summary>
    string KernelRelease { get; }
}
