using IommuFd.HardwareRunner.Suites;
using IommuFd.HardwareRunner.Vm;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>The pieces the verbs drive, behind the runner's own small interfaces: the conformance
/// suite, the backends, the VM launcher. Production wiring is in <see cref="RunnerHost"/>; tests
/// hand in fakes.</summary>
/// <param name="Suite">The conformance suite, or null when this build has none.</param>
/// <param name="Backends">Backend providers by name.</param>
/// <param name="VmRunner">The VM launcher, or null when this build has none.</param>
public sealed record RunnerComponents(IConformanceSuite? Suite, IReadOnlyDictionary<string, IBackendProvider> Backends, IVmRunner? VmRunner)
{
    /// <summary>Finds the test kernel of a series (empty: the default series) and architecture (<c>x86_64</c>
    /// or <c>arm64</c>); null: any kernel in the cache folder.</summary>
    public Func<string, string, Probe.KernelLookup>? LocateKernel { get; init; }

    /// <summary>The script that builds the test kernel; null: the repository's hardware-runner/kernel/build-kernel.sh.</summary>
    public string? KernelBuildScript { get; init; }
}
