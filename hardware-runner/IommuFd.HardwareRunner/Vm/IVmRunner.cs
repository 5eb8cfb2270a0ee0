namespace IommuFd.HardwareRunner.Vm;

/// <summary>How a guest session ended.</summary>
public enum VmEnding
{
    /// <summary>The guest ran the command and powered off.</summary>
    Completed,
    /// <summary>The guest never reached its init script in time.</summary>
    BootTimeout,
    /// <summary>The command did not finish in time (a hung guest).</summary>
    RunTimeout,
    /// <summary>The guest kernel panicked.</summary>
    GuestPanic,
    /// <summary>QEMU died on its own.</summary>
    QemuCrashed,
}

/// <summary>One guest session to run.</summary>
/// <param name="Model">IOMMU model: intel, amd or virtio.</param>
/// <param name="KernelImage">bzImage to boot.</param>
/// <param name="GuestScript">Shell text run in the guest; the host's root is the guest's, read-only.</param>
/// <param name="OutDirectory">Host folder shared read-write with the guest.</param>
/// <param name="BootTimeout">Time to reach init.</param>
/// <param name="RunTimeout">Time for the whole session.</param>
/// <param name="MemoryMiB">Guest memory.</param>
/// <param name="HugePages">2 MiB huge pages the guest reserves at boot (MAP_HUGETLB trace buffers); 0 for none.</param>
public sealed record VmRequest(string Model, string KernelImage, string GuestScript, string OutDirectory, TimeSpan BootTimeout, TimeSpan RunTimeout, int MemoryMiB, int HugePages = 0)
{
    /// <summary>A host folder the guest sees read-only at <see cref="IVmRunner.GuestAppDirectory"/> (the arm64
    /// guest's runner), or null: the guest runs from the host's root.</summary>
    public string? AppDirectory { get; init; }
}

/// <summary>What a guest session produced.</summary>
/// <param name="Ending">How it ended.</param>
/// <param name="ExitCode">The guest command's exit code when completed.</param>
/// <param name="Description">One paragraph for reports (with the console tail when it went wrong).</param>
/// <param name="Dmesg">The guest kernel log, if the guest wrote it.</param>
public sealed record VmRun(VmEnding Ending, int? ExitCode, string Description, string? Dmesg);

/// <summary>Boots the test kernel and runs a command inside (implemented over IommuFd.TestVm).</summary>
public interface IVmRunner
{
    /// <summary>Where the out share appears inside the guest.</summary>
    string GuestOutDirectory { get; }

    /// <summary>Where <see cref="VmRequest.AppDirectory"/> appears inside the guest.</summary>
    string GuestAppDirectory { get; }

    /// <summary>Runs one session; never leaves QEMU running.</summary>
    Task<VmRun> RunAsync(VmRequest request, CancellationToken cancellationToken);
}
