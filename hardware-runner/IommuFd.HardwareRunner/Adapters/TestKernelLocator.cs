using IommuFd.HardwareRunner.Probe;
using IommuFd.TestVm;

namespace IommuFd.HardwareRunner.Adapters;

/// <summary>Finds the test kernel the way IommuFd.TestVm does: the cache entry whose key matches
/// this repository's config fragment, build script and installed source (or IOMMUFD_TEST_KERNEL).</summary>
public static class TestKernelLocator
{
    /// <summary>The kernel, or null with the reason (e.g. which cache entry is expected and how to build it).</summary>
    public static KernelLookup Locate()
    {
        TestKernelLookup lookup = TestKernel.Locate();
        return new KernelLookup(lookup.ImagePath is { } image ? TestKernelInfo.FromImage(image) : null, lookup.Explanation);
    }

    /// <summary>The kernel build script of this repository, or null outside one.</summary>
    public static string? BuildScript() =>
        TestKernel.FindRepositoryRoot() is { } root ? Path.Combine(root, TestKernel.BuildScript) : null;
}
