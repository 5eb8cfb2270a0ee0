using IommuFd.Interop;

namespace IommuFd.TestVm;

/// <summary>Fixed paths and variables the guest's init script sets up for the command.</summary>
public static class GuestPaths
{
    /// <summary>Where the writable <c>out</c> share is mounted in the guest.</summary>
    public const string Out = "/run/out";

    /// <summary>A writable HOME on tmpfs (the root file system is the host's, read-only).</summary>
    public const string Home = "/run/home";

}
