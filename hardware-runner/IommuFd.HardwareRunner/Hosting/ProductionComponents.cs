using IommuFd.HardwareRunner.Adapters;
using IommuFd.HardwareRunner.Suites;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>The real suite, backends and VM launcher, through thin adapters.</summary>
public static class ProductionComponents
{
    /// <summary>The components this build of the runner has.</summary>
    public static RunnerComponents Create() => new(
        new ConformanceSuiteAdapter(),
        new Dictionary<string, IBackendProvider> { ["engine"] = new EngineProvider(), ["kernel"] = new KernelProvider() },
        new TestVmRunner())
    {
        LocateKernel = TestKernelLocator.Locate,
        KernelBuildScript = TestKernelLocator.BuildScript(),
    };
}
