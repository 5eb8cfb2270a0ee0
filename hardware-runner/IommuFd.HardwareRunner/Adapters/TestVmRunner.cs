using IommuFd.HardwareRunner.Vm;
using IommuFd.TestVm;

namespace IommuFd.HardwareRunner.Adapters;

/// <summary>Guest sessions through IommuFd.TestVm's launcher (QEMU TCG, the host's root over 9p
/// read-only, or for the arm64 guest its Debian userland and the app share; the out share read-write,
/// edu devices bound to vfio-pci inside).</summary>
public sealed class TestVmRunner : IVmRunner
{
    /// <inheritdoc />
    public string GuestOutDirectory => GuestPaths.Out;

    /// <inheritdoc />
    public string GuestAppDirectory => GuestPaths.App;

    /// <inheritdoc />
    public async Task<VmRun> RunAsync(VmRequest request, CancellationToken cancellationToken)
    {
        IommuModel model = IommuModels.Parse(request.Model);
        string? guestRoot = null;
        if (!GuestArchitecture.Of(model).SharesHostRoot)
        {
            (guestRoot, string why) = GuestUserland.LocateArm64(buildIfMissing: true);
            if (guestRoot is null)
                return new VmRun(VmEnding.QemuCrashed, null, $"not booted: {why}", null);
        }
        var options = new VmOptions
        {
            GuestRoot = guestRoot,
            AppDirectory = request.AppDirectory,
            KernelImage = request.KernelImage,
            OutDirectory = request.OutDirectory,
            Iommu = model,
            MemoryMiB = request.MemoryMiB,
            HugePages = request.HugePages,
            BootTimeout = request.BootTimeout,
            RunTimeout = request.RunTimeout,
        };
        VmResult result = await VmLauncher.RunAsync(options, new GuestCommand(request.GuestScript) { WorkingDirectory = "/tmp" }, cancellationToken);
        VmEnding ending = result.Outcome switch
        {
            VmOutcome.Completed => VmEnding.Completed,
            VmOutcome.BootTimeout => VmEnding.BootTimeout,
            VmOutcome.RunTimeout => VmEnding.RunTimeout,
            VmOutcome.GuestPanic => VmEnding.GuestPanic,
            _ => VmEnding.QemuCrashed,
        };
        return new VmRun(ending, result.ExitCode, result.Describe(), result.Dmesg);
    }
}
