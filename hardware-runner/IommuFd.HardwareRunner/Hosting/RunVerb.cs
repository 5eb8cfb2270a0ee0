using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Probe;
using IommuFd.HardwareRunner.Suites;
using IommuFd.HardwareRunner.Vfio;
using IommuFd.HardwareRunner.Vm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary><c>run</c> (and <c>vm</c>): plans the groups this host offers (<see cref="RunPlanner"/>) and
/// the test VM's (<see cref="VmEnvironment"/>), binds allowlisted devices when allowed, runs everything with
/// results streamed to the <see cref="RunSinks"/>, puts devices back, and exits with kselftest's code. A dry
/// run prints the plan (<see cref="DryRunPrinter"/>) instead.</summary>
public sealed class RunVerb(IOptions<RunnerOptions> options, VerbRequest request, RunnerComponents components, ConsoleStreams console, ILogger<RunVerb> logger)
    : IVerb
{
    private readonly RunnerOptions _o = options.Value;

    /// <inheritdoc />
    public int Run(CancellationToken stoppingToken)
    {
        HostPaths paths = Paths(_o);
        HostFacts facts = new HostProbe(paths, locateTestKernel: () => VmEnvironment.LocateKernel(_o, components)).Probe();
        var environment = new RunEnvironment(
            $"{DateTime.UtcNow:yyyyMMddTHHmmssZ}-{Guid.NewGuid().ToString("N")[..6]}",
            _o.Origin, Environment.MachineName, facts.Architecture, HostKernel.Read(paths), request.CommandLine);
        string output = Path.GetFullPath(_o.OutputDirectory);
        string? tracesFolder = RunPlanner.TracesFolder(_o);
        bool vmVerb = request.Verb == "vm";

        var groups = new List<TestGroup>();
        IReadOnlyList<TraceFile> traces = [];
        if (!vmVerb)
        {
            if (components.Suite is null)
            {
                Log.Problem(logger, "this runner was built without the conformance suite (IommuFd.Conformance)");
                return ExitCodes.Fail;
            }
            var planner = new RunPlanner(_o, components, logger);
            ConformancePlan plan = planner.Plan(facts, tracesFolder);
            traces = plan.Traces;
            groups.AddRange(planner.Groups(plan, output));
        }
        var coverage = new CoverageSink();
        groups.AddRange(new VmEnvironment(_o, vmVerb, components, logger).Groups(facts, output, tracesFolder, traces, coverage, stoppingToken));

        var binder = new VfioBinder(paths, m => Log.Device(logger, m));
        IReadOnlyList<DeviceBinding> bindings = binder.Plan(_o.VfioAllowlist);
        if (_o.DryRun)
        {
            binder.Apply(bindings, _o.AllowHostChanges, dryRun: true);
            DryRunPrinter.Print(console.Out, groups, bindings, output, _o.AllowHostChanges);
            return ExitCodes.Pass;
        }

        Log.RunStarting(logger, environment.RunId, groups.Count, output);
        foreach (TestGroup g in groups) Log.GroupPlanned(logger, g.Name, g.Description);
        IReadOnlyList<DeviceBinding> changed = binder.Apply(bindings, _o.AllowHostChanges, dryRun: false);
        try
        {
            var executor = new SuiteExecutor(new ExecutorLimits(_o.TestTimeout, _o.RunTimeout), [.. RunSinks.Create(_o, output, console, logger), coverage]);
            RunSummary summary = executor.Execute(environment, groups, stoppingToken);
            Log.RunFinished(logger, environment.RunId, summary.ExitCode, summary.Count(TestStatus.Pass), summary.Count(TestStatus.Fail),
                summary.Count(TestStatus.Skip), summary.Results.Count - summary.Count(TestStatus.Pass) - summary.Count(TestStatus.Fail) - summary.Count(TestStatus.Skip),
                summary.Incomplete is null ? "" : $"; incomplete: {summary.Incomplete}");
            return summary.ExitCode;
        }
        finally
        {
            binder.Restore(changed);
        }
    }

    /// <summary>The host paths the options point at.</summary>
    public static HostPaths Paths(RunnerOptions o) =>
        new(o.Host.Dev, o.Host.Sys, o.Host.Proc, o.Host.Boot, o.CacheDirectory.Length > 0 ? o.CacheDirectory : HostPaths.DefaultCacheDirectory());
}
