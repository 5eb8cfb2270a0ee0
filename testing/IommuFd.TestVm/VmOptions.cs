namespace IommuFd.TestVm;

/// <summary>What to boot and how long to wait for it.</summary>
public sealed record VmOptions
{
    /// <summary>The guest kernel (a bzImage or, for <see cref="IommuModel.Smmuv3"/>, an arm64 Image built by hardware-runner/kernel/build-kernel.sh).</summary>
    public required string KernelImage { get; init; }

    /// <summary>A host directory shared read-write with the guest (mounted at <see cref="GuestPaths.Out"/>);
    /// created if missing. Results, the console log and the guest's dmesg end up here.</summary>
    public required string OutDirectory { get; init; }

    /// <summary>The emulated IOMMU.</summary>
    public IommuModel Iommu { get; init; } = IommuModel.Intel;

    /// <summary>How many QEMU <c>edu</c> devices to add; the guest binds each to vfio-pci.</summary>
    public int EduDevices { get; init; } = 1;

    /// <summary>Guest memory in MiB.</summary>
    public int MemoryMiB { get; init; } = 2048;

    /// <summary>2 MiB huge pages the guest kernel reserves at boot (<c>hugepages=N</c>), for MAP_HUGETLB
    /// buffers; 0 reserves none. They come out of <see cref="MemoryMiB"/>.</summary>
    public int HugePages { get; init; }

    /// <summary>Guest CPUs.</summary>
    public int Cpus { get; init; } = 2;

    /// <summary>TCG, KVM, or probe for KVM.</summary>
    public VmAccelerator Accelerator { get; init; } = VmAccelerator.Tcg;

    /// <summary>Time from starting QEMU to the guest's init script running.</summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Time for the whole run: boot, command, power-off.</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The QEMU binary (a name on PATH or a path); null: the architecture's (<see cref="GuestArchitecture.QemuBinary"/>).</summary>
    public string? QemuBinary { get; init; }

    /// <summary>The guest's root file system, a host folder shared read-only over 9p. Null: the host's own
    /// root (x86_64); an arm64 guest needs the userland scripts/arm64-userland.sh builds.</summary>
    public string? GuestRoot { get; init; }

    /// <summary>A host folder shared read-only with a guest whose root is not the host's, mounted at
    /// <see cref="GuestPaths.App"/> (e.g. the linux-arm64 publish of the program the guest runs); null for none.</summary>
    public string? AppDirectory { get; init; }

    /// <summary>The architecture the <see cref="Iommu"/> model's machine emulates.</summary>
    public GuestArchitecture Architecture => GuestArchitecture.Of(Iommu);

    /// <summary><see cref="QemuBinary"/>, else the architecture's.</summary>
    public string Qemu => QemuBinary ?? Architecture.QemuBinary;

    /// <summary>More kernel command-line arguments, appended last.</summary>
    public IReadOnlyList<string> ExtraKernelArguments { get; init; } = [];
}
