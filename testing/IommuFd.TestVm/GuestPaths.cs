using IommuFd.Interop;

namespace IommuFd.TestVm;

/// <summary>Fixed paths and variables the guest's init script sets up for the command.</summary>
public static class GuestPaths
{
    /// <summary>Where the writable <c>out</c> share is mounted in the guest.</summary>
    public const string Out = "/run/out";

    /// <summary>A writable HOME on tmpfs (the root file system is the host's, read-only).</summary>
    public const string Home = "/run/home";

    /// <summary>PID 1 of a guest whose root is not the host's (the arm64 userland of scripts/arm64-userland.sh):
    /// it mounts the out share and runs the init script the host wrote there.</summary>
    public const string Bootstrap = "/sbin/iommufd-vm-init";

    /// <summary>Where such a guest mounts the read-only app share (<see cref="VmOptions.AppDirectory"/>):
    /// the programs it runs, built for its architecture.</summary>
    public const string App = "/opt/iommufd";

}
