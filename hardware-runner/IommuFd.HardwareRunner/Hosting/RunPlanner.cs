using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Probe;
using IommuFd.HardwareRunner.Suites;
using IommuFd.HardwareRunner.Vm;
using Microsoft.Extensions.Logging;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>Plans what runs on this host: the backends (those named, else the engine, plus the kernel where
/// /dev/iommu exists or IOMMUFD_REQUIRE_KERNEL=1 demands it), the traces of the traces folder, the random
/// sequences; then their conformance groups and a group per NUnit assembly.</summary>
public sealed class RunPlanner(RunnerOptions o, RunnerComponents components, ILogger logger)
{
    /// <summary>The traces folder the options name (as a full path), else the one next to the runner or in its
    /// repository; null when there is none. Resolved once per run: the host and the guest replay the same.</summary>
    public static string? TracesFolder(RunnerOptions o) =>
        o.TracesDirectory.Length > 0 ? Path.GetFullPath(o.TracesDirectory) : RepositoryLocator.Traces();

    /// <summary>The conformance plan for this host.</summary>
    public ConformancePlan Plan(HostFacts facts, string? tracesFolder)
    {
        bool requireKernel = Environment.GetEnvironmentVariable("IOMMUFD_REQUIRE_KERNEL") == "1";
        IReadOnlyList<RunnerBackend> named = o.BackendKinds;
        var backends = named.Count > 0 ? [.. named] : new List<RunnerBackend> { RunnerBackend.Engine };
        if (named.Count == 0 && (facts.Iommufd.Present || requireKernel)) backends.Add(RunnerBackend.Kernel);
        var demanded = new HashSet<RunnerBackend>(named);
        if (requireKernel) demanded.Add(RunnerBackend.Kernel);
        List<string> names = [.. backends.Select(RunModes.Word)];
        foreach (string b in names)
            if (components.Backends.TryGetValue(b, out IBackendProvider? p) && p.Unavailable() is { } why)
                Log.BackendUnavailable(logger, b, why);

        IReadOnlyList<TraceFile> traces = tracesFolder is not null && Directory.Exists(tracesFolder) ? components.Suite!.DiscoverTraces(tracesFolder) : [];
        if (traces.Count == 0)
            Log.Problem(logger, $"no traces found in {tracesFolder ?? "(no traces next to the runner and no repository found; set TracesDirectory)"}; running random sequences only");
        return new ConformancePlan(names, new HashSet<string>(demanded.Select(RunModes.Word)), traces, o.RandomSequences, o.RandomSeed, o.SequenceLength);
    }

    /// <summary>The host's groups for <paramref name="plan"/>: the conformance groups, then the NUnit assemblies' (results under <paramref name="output"/>).</summary>
    public IEnumerable<TestGroup> Groups(ConformancePlan plan, string output)
    {
        var vstest = new VstestGroupFactory(GuestRunSettings.FindDotnet(), output, o.RunTimeout);
        return new ConformancePlanner(components.Suite!, components.Backends).Groups(plan)
            .Concat(o.NUnitAssemblies.Select(a => vstest.Create(Path.GetFullPath(a))));
    }
}
