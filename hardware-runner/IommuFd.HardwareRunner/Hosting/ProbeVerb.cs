using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Probe;
using Microsoft.Extensions.Options;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary><c>probe</c>: prints what this host offers (table, or JSON with <c>--json</c>). Read-only.</summary>
public sealed class ProbeVerb(IOptions<RunnerOptions> options, VerbRequest request, RunnerComponents components, ConsoleStreams console) : IVerb
{
    /// <inheritdoc />
    public int Run(CancellationToken stoppingToken)
    {
        RunnerOptions o = options.Value;
        HostPaths paths = RunVerb.Paths(o);
        HostFacts facts = new HostProbe(paths, locateTestKernel: () => VmEnvironment.LocateKernel(o, components)).Probe();
        console.Out.Write(request.Json ? HostFactsFormatter.Json(facts) : HostFactsFormatter.Table(facts));
        console.Out.Flush();
        return ExitCodes.Pass;
    }
}
