using IommuFd.Bindings.Backends;

namespace IommuFd.Bindings;

/// <summary>The throwing form of a call that only newer kernels have (IommuFd.Interop.Stable): an
/// ENOTTY says which kernel lacks what and since when iommufd has it, instead of a bare errno.</summary>
internal static class NewerKernel
{
    /// <summary>The series that added the ioctls of the Stable layer.</summary>
    public const string Since = "7.3";

    /// <summary>Throws <see cref="IommuFdException"/> for <paramref name="operation"/> unless
    /// <paramref name="errno"/> is <see cref="Errno.None"/>.</summary>
    public static void ThrowIfFailed(Errno errno, string operation, IIommuBackend backend)
    {
        if (errno == Errno.None)
            return;
        string? lacks = errno == Errno.ENOTTY
            ? $"kernel {Release(backend)} lacks {operation} (iommufd has it from Linux {Since})"
            : null;
        throw new IommuFdException(operation, (int)errno, lacks);
    }

    private static string Release(IIommuBackend backend)
    {
        if (backend is IKernelReleaseInfo info)
            return info.KernelRelease;
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return "(release unknown)";
        }
    }
}
