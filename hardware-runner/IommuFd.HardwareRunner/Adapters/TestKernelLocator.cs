using IommuFd.HardwareRunner.Probe;
using IommuFd.TestVm;

namespace IommuFd.HardwareRunner.Adapters;

/// <summary>Finds the test kernel the way IommuFd.TestVm does: the cache entry whose key matches
/// this repository's config fragments, build script and the series' source (or IOMMUFD_TEST_KERNEL).</summary>
public static class TestKernelLocator
{
    /// <summary>The kernel of <paramref name="series"/> (empty: the kernel tier's, IOMMUFD_KERNEL_SERIES or lts)
    /// for <paramref name="architecture"/> (x86_64 or arm64), or null with the reason (e.g. which cache
    /// entry is expected and how to build it).</summary>
    public static KernelLookup Locate(string series, string architecture)
    {
        string resolved = series.Length > 0 ? series : TestKernel.RequestedSeries();
        TestKernelLookup lookup = TestKernel.Locate(resolved, architecture == GuestArchitecture.Arm64.Name ? GuestArchitecture.Arm64 : GuestArchitecture.X86_64);
        return new KernelLookup(lookup.ImagePath is { } image ? TestKernelInfo.FromImage(image) : null, lookup.Explanation, resolved);
    }

    /// <summary>The kernel build script of this repository, or null outside one.</summary>
    public static string? BuildScript() =>
        TestKernel.FindRepositoryRoot() is { } root ? Path.Combine(root, TestKernel.BuildScript) : null;
}
