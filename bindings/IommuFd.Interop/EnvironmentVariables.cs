
namespace IommuFd.Interop;

/// <summary>Every environment variable the project's code reads, by name: the one place to look one up.
/// Scripts (scripts/, .ci/run, hardware-runner/kernel) read a few more of their own.</summary>
public static class EnvironmentVariables
{
    /// <summary>1: a missing kernel backend (or a kernel without what a test needs) fails instead of skipping.</summary>
    public const string RequireKernel = "IOMMUFD_REQUIRE_KERNEL";

    /// <summary>The kernel tier's default IOMMU model for the test VM (intel, amd, virtio, arm64-smmuv3); intel when unset.</summary>
    public const string VmIommu = "IOMMUFD_VM_IOMMU";

    /// <summary>A VSTest filter for the kernel tier's run inside the VM instead of TestCategory=Kernel.</summary>
    public const string VmFilter = "IOMMUFD_VM_FILTER";

    /// <summary>The whole kernel-tier VM run's limit in minutes (default 40).</summary>
    public const string VmTimeoutMinutes = "IOMMUFD_VM_TIMEOUT_MINUTES";

    /// <summary>The VM accelerator: tcg (the default), kvm or auto.</summary>
    public const string VmAccelerator = "IOMMUFD_VM_ACCEL";

    /// <summary>Which test kernel to boot: a series or role of scripts/kernels.conf (lts when unset).</summary>
    public const string KernelSeries = "IOMMUFD_KERNEL_SERIES";

    /// <summary>The architecture tiers to run besides x86_64, space-separated (<c>arm64</c>: scripts/arm64-tier.sh);
    /// a named tier's missing kernel or userland fails its VM tests instead of skipping them.</summary>
    public const string ArchTiers = "IOMMUFD_ARCH_TIERS";

    /// <summary>An x86_64 kernel image to boot instead of the cached test kernel.</summary>
    public const string TestKernel = "IOMMUFD_TEST_KERNEL";

    /// <summary>The cache folder (test kernels, kernel sources); ~/.cache/iommufd-conformance when unset.</summary>
    public const string CacheDir = "IOMMUFD_CACHE_DIR";

    /// <summary>Set to 1 by the test VM's init inside the guest.</summary>
    public const string InGuest = "IOMMUFD_IN_GUEST";

    /// <summary>In the guest: the IOMMU model the VM was booted with (none, intel, amd, virtio, arm64-smmuv3).</summary>
    public const string GuestIommu = "IOMMUFD_GUEST_IOMMU";

    /// <summary>In the guest: the writable folder shared with the host for results.</summary>
    public const string GuestOut = "IOMMUFD_GUEST_OUT";

    /// <summary>In the guest: the PCI addresses of the edu devices bound to vfio-pci, space-separated.</summary>
    public const string GuestVfioDevices = "IOMMUFD_GUEST_VFIO_DEVICES";

    /// <summary>The prefix of the random differential budget (SEED, SEQUENCES, STEPS, SECONDS), passed into the VM.</summary>
    public const string RandomPrefix = "IOMMUFD_RANDOM_";

    /// <summary>The prefix of the device-aware random differential budget.</summary>
    public const string RandomDevicePrefix = "IOMMUFD_RANDOM_DEVICE_";

    /// <summary>The random differential's seed.</summary>
    public const string RandomSeed = "IOMMUFD_RANDOM_SEED";

    /// <summary>1: the nightly budget (a fresh seed, longer runs, regressions saved).</summary>
    public const string Nightly = "IOMMUFD_NIGHTLY";

    /// <summary>1: minimal traces of random divergences are saved under conformance/traces/**/regressions.</summary>
    public const string SaveRegressions = "IOMMUFD_SAVE_REGRESSIONS";

    /// <summary>Where saved regressions go instead of the repository's folder.</summary>
    public const string RegressionsDir = "IOMMUFD_REGRESSIONS_DIR";

    /// <summary>1: the fail-nth sweep may arm fault injection on a host that is not the test VM.</summary>
    public const string FailNthOnHost = "IOMMUFD_FAILNTH_ON_HOST";

    /// <summary>The prefix of the runner's settings (IOMMUFD_RUNNER_Section__Key).</summary>
    public const string RunnerPrefix = "IOMMUFD_RUNNER_";

    /// <summary>A release tarball for the LAVA definition test to unpack instead of building one.</summary>
    public const string ReleaseTarball = "IOMMUFD_RELEASE_TARBALL";
}
