namespace IommuFd.TestVm;

/// <summary>What differs between the guest architectures the test VM emulates: the kernel
/// hardware-runner/kernel/build-kernel.sh builds (<c>--arch</c>), its config fragments and image, and
/// the QEMU binary that runs it.</summary>
/// <param name="Name">build-kernel.sh's <c>--arch</c> and the cache key's <c>arch=</c> line: x86_64 or arm64.</param>
/// <param name="FragmentPrefix">The config fragments' file name before <c>.config</c> (every series) and <c>-&lt;series&gt;.config</c>.</param>
/// <param name="ImageName">The kernel image in the cache entry.</param>
/// <param name="QemuBinary">The QEMU system emulator.</param>
public sealed record GuestArchitecture(string Name, string FragmentPrefix, string ImageName, string QemuBinary)
{
    /// <summary>The q35 machine with VT-d, AMD-Vi or virtio-iommu; the guest's root is the host's.</summary>
    public static readonly GuestArchitecture X86_64 = new("x86_64", "iommufd-test", "bzImage", "qemu-system-x86_64");

    /// <summary>The virt machine with GICv3 and an Arm SMMUv3; the guest's root is the arm64 userland
    /// scripts/arm64-userland.sh builds.</summary>
    public static readonly GuestArchitecture Arm64 = new("arm64", "iommufd-test-arm64", "Image", "qemu-system-aarch64");

    /// <summary>The architecture of the machine that emulates <paramref name="model"/>.</summary>
    public static GuestArchitecture Of(IommuModel model) => model == IommuModel.Smmuv3 ? Arm64 : X86_64;

    /// <summary>True when the guest boots with the host's root file system (it runs the host's programs).</summary>
    public bool SharesHostRoot => this == X86_64;
}
