using IommuFd.Engine;

namespace IommuFd.Conformance;

/// <summary>The engine configured as the conformance test kernel is built
/// (hardware-runner/kernel/iommufd-test.config on x86_64 defconfig): CONFIG_IOMMUFD_TEST on,
/// CONFIG_VFIO_NOIOMMU off, CONFIG_TRANSPARENT_HUGEPAGE off (so automatic IOVAs are aligned to at
/// most PAGE_SIZE), the caller root. Inside a VM (or on any host with /dev/iommu) the
/// running kernel's own answers are read from sysfs instead, so kernel and engine always model the
/// same machine in a differential run.</summary>
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
        return new EngineOptions(platform, IommufdTest: true);
    }

    /// <summary>A new engine with <see cref="Options"/>.</summary>
    public static EngineBackend Create() => new(Options());
}
