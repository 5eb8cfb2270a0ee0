using IommuFd.Engine;
using IommuFd.Interop;

namespace IommuFd.Conformance;

/// <summary>The engine configured as the conformance test kernel is built
/// (hardware-runner/kernel/iommufd-test.config on x86_64 allnoconfig): CONFIG_IOMMUFD_TEST on,
/// CONFIG_VFIO_NOIOMMU off, CONFIG_TRANSPARENT_HUGEPAGE off (so automatic IOVAs are aligned to at
/// most PAGE_SIZE), the caller root, answering as 6.12 (<see cref="KernelRelease.Lts"/>). Inside a VM (or on any host with /dev/iommu) the
/// running kernel's own answers are read from sysfs and its release from /proc instead, so kernel and engine always model the
/// same machine in a differential run (including whether mock devices get the mock IOMMU).</summary>
public static class TestKernelEngine
{
    /// <summary>Options matching the test kernel (or the running kernel when there is one).</summary>
    public static EngineOptions Options()
    {
        PlatformProfile platform = PlatformProfile.X86_64 with { VfioNoIommu = false, TransparentHugePages = false };
        if (File.Exists("/dev/iommu"))
        {
            platform = platform with
            {
                TransparentHugePages = Directory.Exists("/sys/kernel/mm/transparent_hugepage"),
                VfioNoIommu = File.Exists("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"),
            };
        }
        return new EngineOptions(platform, IommufdTest: true, MockIommuOwnsMockBus: !HasPlatformIommu(),
            Release: File.Exists("/dev/iommu") ? RunningRelease() : KernelRelease.Lts);
    }

    /// <summary>The running kernel's release (/proc/sys/kernel/osrelease, e.g. "6.12.118+deb12-amd64"), or
    /// <see cref="KernelRelease.Lts"/> when it cannot be read.</summary>
    public static KernelRelease RunningRelease()
    {
        try
        {
            return KernelRelease.TryParse(File.ReadAllText("/proc/sys/kernel/osrelease")) ?? KernelRelease.Lts;
        }
        catch (IOException)
        {
            return KernelRelease.Lts;
        }
    }

    /// <summary>Options for the mock-domain tests: the machine of the kernel tier's virtio-iommu VM, where
    /// the selftest's mock IOMMU probes the mock devices.</summary>
    public static EngineOptions MockDomainOptions() => Options() with { MockIommuOwnsMockBus = true };

    /// <summary>True on a kernel whose Intel VT-d or AMD-Vi IOMMU registered without a firmware node: the
    /// iommu core then offers mock devices to that driver, which refuses them, so
    /// IOMMU_TEST_OP_MOCK_DOMAIN answers EINVAL there; under virtio-iommu the mock IOMMU gets them.
    /// Where no kernel runs, the machine is the kernel tier's default VM (IOMMUFD_VM_IOMMU, intel
    /// unless set).</summary>
    private static bool HasPlatformIommu()
    {
        if (!File.Exists("/dev/iommu"))
            return Environment.GetEnvironmentVariable(EnvironmentVariables.VmIommu)?.ToLowerInvariant() is null or "" or "intel" or "amd";
        if (!Directory.Exists("/sys/class/iommu"))
            return false;
        return Directory.EnumerateFileSystemEntries("/sys/class/iommu").Select(Path.GetFileName)
            .Any(n => n!.StartsWith("dmar", StringComparison.Ordinal) || n.StartsWith("ivhd", StringComparison.Ordinal));
    }

    /// <summary>A new engine with <see cref="Options"/>.</summary>
    public static EngineBackend Create() => new(Options());
}
