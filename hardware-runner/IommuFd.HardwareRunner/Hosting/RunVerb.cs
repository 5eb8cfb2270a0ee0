using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Probe;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Suites;
using IommuFd.HardwareRunner.Vfio;
using IommuFd.HardwareRunner.Vm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary><c>run</c> (and <c>vm</c>): plans the groups the host offers, binds allowlisted devices
/// when allowed, runs everything with results streamed to stdout (KTAP) and the output folder,
/// puts devices back, and exits with kselftest's code.</summary>
public sealed class RunVerb(IOptions<RunnerOptions> options, VerbRequest request, RunnerComponents components, ConsoleStreams console, ILogger<RunVerb> logger)
    : IVerb
{
    private readonly RunnerOptions _o = options.Value;

    /// <inheritdoc />
    public int Run(CancellationToken stoppingToken)
    {
        HostPaths paths = Paths(_o);
        HostFacts facts = new HostProbe(paths, locateTestKernel: () => LocateKernel(_o, components)).Probe();
        var environment = new RunEnvironment(
            $"{DateTime.UtcNow:yyyyMMddTHHmmssZ}-{Guid.NewGuid().ToString("N")[..6]}",
            _o.Origin, Environment.MachineName, facts.Architecture, HostKernel.Read(paths), request.CommandLine);
        string output = Path.GetFullPath(_o.OutputDirectory);

        var groups = new List<TestGroup>();
        IReadOnlyList<TraceFile> traces = [];
        if (request.Verb != "vm")
        {
            if (components.Suite is null)
            {
                Log.Problem(logger, "this runner was built without the conformance suite (IommuFd.Conformance)");
                return ExitCodes.Fail;
            }
            ConformancePlan plan = Plan(facts);
            traces = plan.Traces;
            groups.AddRange(new ConformancePlanner(components.Suite, components.Backends).Groups(plan));
            var vstest = new VstestGroupFactory(GuestRunSettings.FindDotnet(), output, _o.RunTimeout);
            groups.AddRange(_o.NUnitAssemblies.Select(a => vstest.Create(Path.GetFullPath(a))));
        }
        var coverage = new CoverageSink();
        groups.AddRange(VmGroups(facts, output, traces, coverage, stoppingToken));

        var binder = new VfioBinder(paths, m => Log.Device(logger, m));
        IReadOnlyList<DeviceBinding> bindings = binder.Plan(_o.VfioAllowlist);
        if (_o.DryRun)
        {
            binder.Apply(bindings, _o.AllowHostChanges, dryRun: true);
            PrintPlan(groups, bindings, output);
            return ExitCodes.Pass;
        }

        Log.RunStarting(logger, environment.RunId, groups.Count, output);
        foreach (TestGroup g in groups) Log.GroupPlanned(logger, g.Name, g.Description);
        IReadOnlyList<DeviceBinding> changed = binder.Apply(bindings, _o.AllowHostChanges, dryRun: false);
        try
        {
            var executor = new SuiteExecutor(new ExecutorLimits(_o.TestTimeout, _o.RunTimeout), [.. Sinks(output), coverage]);
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

    /// <summary>The configured kernel image, else the components' locator for the configured series, else any cached one.</summary>
    public static KernelLookup LocateKernel(RunnerOptions o, RunnerComponents components)
    {
        if (o.VmSettings.KernelImage.Length > 0)
        {
            string image = Path.GetFullPath(o.VmSettings.KernelImage);
            return new KernelLookup(TestKernelInfo.FromImage(image), $"VmSettings:KernelImage {image}");
        }
        return components.LocateKernel?.Invoke(o.VmSettings.KernelSeries) ?? HostProbe.CachedKernel(Paths(o));
    }

    private ConformancePlan Plan(HostFacts facts)
    {
        bool requireKernel = Environment.GetEnvironmentVariable("IOMMUFD_REQUIRE_KERNEL") == "1";
        var backends = _o.Backends.Count > 0 ? _o.Backends.Distinct().ToList() : ["engine"];
        if (_o.Backends.Count == 0 && (facts.Iommufd.Present || requireKernel)) backends.Add("kernel");
        var demanded = new HashSet<string>(_o.Backends);
        if (requireKernel) demanded.Add("kernel");
        foreach (string b in backends)
            if (components.Backends.TryGetValue(b, out IBackendProvider? p) && p.Unavailable() is { } why)
                Log.BackendUnavailable(logger, b, why);

        string? tracesDir = _o.TracesDirectory.Length > 0 ? _o.TracesDirectory
            : RepositoryLocator.Traces();
        IReadOnlyList<TraceFile> traces = tracesDir is not null && Directory.Exists(tracesDir) ? components.Suite!.DiscoverTraces(Path.GetFullPath(tracesDir)) : [];
        if (traces.Count == 0)
            Log.Problem(logger, $"no traces found in {tracesDir ?? "(no traces next to the runner and no repository found; set TracesDirectory)"}; running random sequences only");
        return new ConformancePlan(backends, demanded, traces, _o.RandomSequences, _o.RandomSeed, _o.SequenceLength);
    }

    /// <summary>The VM groups: the chosen (or default) model's, and where the model was not chosen, a
    /// follow-up session per other model for the traces no earlier group could diff against a kernel.</summary>
    private List<TestGroup> VmGroups(HostFacts facts, string output, IReadOnlyList<TraceFile> traces, CoverageSink coverage, CancellationToken stoppingToken)
    {
        if (VmGroup(facts, output, stoppingToken) is not { } main)
            return [];
        var groups = new List<TestGroup> { main.Group };
        bool explicitVm = request.Verb == "vm" || _o.Vm is "intel" or "amd" or "virtio";
        if (explicitVm || main.Kernel is null || traces.Count == 0)
            return groups;
        foreach (string model in FollowUpModels.Where(m => $"vm_{m}" != main.Group.Name))
        {
            string subset = Path.Combine(output, $"vm_{model}.traces");
            var factory = VmFactory(GuestArguments(subset, everything: false));
            groups.Add(new FollowUpVmGroup(coverage, traces, subset).Create(factory.Create(model, main.Kernel, Path.Combine(output, $"vm_{model}"))));
        }
        return groups;
    }

    /// <summary>Models a follow-up session may boot, in order; what each gives is found by the probes inside it.</summary>
    private static readonly string[] FollowUpModels = ["virtio", "amd"];

    private (TestGroup Group, TestKernelInfo? Kernel)? VmGroup(HostFacts facts, string output, CancellationToken stoppingToken)
    {
        bool explicitVm = request.Verb == "vm" || _o.Vm is "intel" or "amd" or "virtio";
        string model = _o.Vm is "intel" or "amd" or "virtio" ? _o.Vm : "intel";
        if (!explicitVm)
        {
            string? why = _o.Vm == "none" ? null
                : Environment.GetEnvironmentVariable("IOMMUFD_IN_GUEST") == "1" ? "already inside the test VM"
                : components.VmRunner is null ? "this runner was built without the VM launcher"
                : !facts.Qemu.Present ? facts.Qemu.Detail
                : !facts.TestKernel.Present ? $"{facts.TestKernel.Detail} (the vm command builds it)"
                : null;
            if (_o.Vm == "none") return null;
            if (why is not null) { Log.VmSkipped(logger, why); return null; }
        }

        string name = $"vm_{model}";
        KernelLookup lookup = LocateKernel(_o, components);
        TestKernelInfo? kernel = lookup.Kernel;
        KernelIdentity planned = kernel is null ? KernelIdentity.Unavailable($"test kernel (VM, {model} IOMMU)") : VmGroupFactory.Identity(model, kernel);
        if (components.VmRunner is null) return (Failed(name, planned, "this runner was built without the VM launcher (IommuFd.TestVm)"), null);
        if (!facts.Qemu.Present) return (Failed(name, planned, $"qemu is needed for the test VM: {facts.Qemu.Detail}"), null);
        if (kernel is null && _o.VmSettings.BuildKernelIfMissing && !_o.DryRun)
        {
            string script = components.KernelBuildScript ?? Path.Combine(RepositoryLocator.Find() ?? ".", "hardware-runner", "kernel", "build-kernel.sh");
            Log.KernelBuilding(logger, script);
            try { kernel = new KernelBuilder(script, lookup.Series ?? _o.VmSettings.KernelSeries, line => Log.KernelBuildLine(logger, line)).Build(stoppingToken); }
            catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or OperationCanceledException)
            {
                return (Failed(name, planned, $"the test kernel could not be built: {e.Message}"), null);
            }
        }
        if (kernel is null) return (Failed(name, planned, $"no test kernel: {lookup.Detail}"), null);
        Log.VmPlanned(logger, model, kernel.Image);

        string? traces = _o.TracesDirectory.Length > 0 ? Path.GetFullPath(_o.TracesDirectory)
            : RepositoryLocator.Traces();
        return (VmFactory(GuestArguments(traces, everything: true)).Create(model, kernel, Path.Combine(output, name)), kernel);
    }

    /// <summary>Where the output folder is published (<see cref="RunnerOptions.ArtifactsUrl"/>), else its own <c>file://</c> URL.</summary>
    public static Uri OutputUrl(RunnerOptions o, string output) =>
        new(o.ArtifactsUrl.Length > 0 ? o.ArtifactsUrl.TrimEnd('/') + "/" : Path.TrimEndingDirectorySeparator(output) + "/");

    private VmGroupFactory VmFactory(List<string> guestArguments) =>
        new(components.VmRunner!, GuestRunSettings.ForThisRunner(guestArguments),
            TimeSpan.FromSeconds(_o.VmSettings.BootTimeoutSeconds), TimeSpan.FromSeconds(_o.VmSettings.RunTimeoutSeconds), _o.VmSettings.MemoryMiB, line => Log.Progress(logger, line),
            _o.VmSettings.HugePages);

    /// <summary>The guest's <c>run</c> arguments: both backends (kernel demanded), the traces of
    /// <paramref name="traces"/>, the same limits; with <paramref name="everything"/> also the random
    /// sequences and NUnit assemblies (a follow-up session replays its traces only).</summary>
    private List<string> GuestArguments(string? traces, bool everything)
    {
        var args = new List<string> { "--backend", "engine", "--backend", "kernel" };
        if (traces is not null) args.AddRange(["--traces", traces]);
        if (everything)
            foreach (string assembly in _o.NUnitAssemblies) args.AddRange(["--nunit", Path.GetFullPath(assembly)]);
        double guestRunLimit = Math.Max(_o.TestTimeoutSeconds, _o.VmSettings.RunTimeoutSeconds - _o.VmSettings.BootTimeoutSeconds);
        args.AddRange([
            "--random", (everything ? _o.RandomSequences : 0).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--seed", _o.RandomSeed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--sequence-length", _o.SequenceLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--test-timeout", _o.TestTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--run-timeout", Math.Min(_o.RunTimeoutSeconds, guestRunLimit).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--origin", _o.Origin,
        ]);
        return args;
    }

    /// <summary>A VM group that cannot start: its session case did not run (KCIDB MISS), credited to
    /// the test kernel it would have booted, or to a kernel marked missing.</summary>
    private static DeferredTestGroup Failed(string name, KernelIdentity kernel, string reason) =>
        new(name, $"test kernel under QEMU ({reason})", _ => new DeferredGroupResult(
            [new TestCaseResult(name, VmGroupFactory.SessionCase, TestStatus.NotRun, $"not run: {reason}", "", null, DateTimeOffset.UtcNow, TimeSpan.Zero)], reason))
        {
            Kernel = kernel,
        };

    private List<IResultSink> Sinks(string output)
    {
        IRunFileWriter[] writers = [new SummaryJsonWriter(), new JunitXmlWriter(), new KcidbWriter(OutputUrl(_o, output)), new MarkdownReportWriter()];
        var sinks = new List<IResultSink>
        {
            new KtapSink(console.Out),
            new ResultStore(output, writers, TimeSpan.FromMilliseconds(_o.ReportRewriteIntervalMilliseconds)),
            new ProgressSink(console.Error, console.ErrorIsTerminal),
        };
        if (_o.Lava == "auto" && LavaSink.FindHelper() is { } helper)
            sinks.Add(new LavaSink(helper, m => Log.LavaProblem(logger, m)));
        return sinks;
    }

    private void PrintPlan(IReadOnlyList<TestGroup> groups, IReadOnlyList<DeviceBinding> bindings, string output)
    {
        TextWriter o = console.Out;
        o.WriteLine($"# dry run: nothing is run and nothing on the host is changed; results would go to {output}");
        o.WriteLine($"# vfio-pci allowlist: {(bindings.Count == 0 ? "empty (no device will be touched)" : string.Join(", ", bindings.Select(b => b.Device)))}");
        foreach (DeviceBinding b in bindings)
        {
            if (b.Refusal is not null) o.WriteLine($"#   {b.Device}: not touched: {b.Refusal}");
            else if (b.Writes.Count == 0) o.WriteLine($"#   {b.Device}: already bound to vfio-pci");
            else
            {
                o.WriteLine($"#   {b.Device}: bound to {b.CurrentDriver ?? "no driver"}; would bind to vfio-pci{(_o.AllowHostChanges ? "" : " (only with --allow-host-changes)")}:");
                foreach (SysfsWrite w in b.Writes) o.WriteLine($"#     {w}");
            }
        }
        foreach (TestGroup g in groups)
        {
            switch (g)
            {
                case StaticTestGroup s:
                    o.WriteLine($"# group {s.Name}: {s.Description}: {s.Cases.Count} case(s){(s.SkipReason is null ? "" : $", all skipped: {s.SkipReason}")}");
                    foreach (RunnerTestCase c in s.Cases) o.WriteLine($"#   {c.Name}");
                    break;
                default:
                    o.WriteLine($"# group {g.Name}: {g.Description}");
                    break;
            }
        }
    }
}
