using System.CommandLine;
using System.Globalization;
using IommuFd.HardwareRunner.Hosting;

namespace IommuFd.HardwareRunner.Cli;

/// <summary>The command line: verbs and options. Options that are configuration become
/// configuration keys (the highest-precedence source), so the command line, environment variables
/// and appsettings.json all set the same <see cref="RunnerOptions"/>.</summary>
public static class RunnerCommandLine
{
    /// <summary>Runs a verb: the request and the configuration keys given on the command line.</summary>
    public delegate Task<int> Invoke(VerbRequest request, IReadOnlyDictionary<string, string?> configuration, CancellationToken cancellationToken);

    /// <summary>The root command with every verb wired to <paramref name="invoke"/>.</summary>
    public static RootCommand Build(Invoke invoke)
    {
        var root = new RootCommand("iommufd conformance runner: probes the host, runs the conformance suite on every backend it offers, writes KTAP, JUnit, KCIDB and a report.");

        var output = new Option<string>("--output", "-o") { Description = "Folder for result files (OutputDirectory)." };
        var backend = new Option<string[]>("--backend", "-b") { Description = "Backend to run on: engine, kernel (repeatable; Backends). Default: engine, plus kernel where /dev/iommu exists.", AllowMultipleArgumentsPerToken = false };
        backend.AcceptOnlyFromAmong([.. RunnerOptionsValidator.KnownBackends]);
        var vm = new Option<string>("--vm") { Description = "Run inside the test kernel under QEMU: intel, amd, virtio, none, auto (Vm)." };
        vm.AcceptOnlyFromAmong([.. RunnerOptionsValidator.VmChoices]);
        var traces = new Option<string>("--traces") { Description = "Folder of recorded traces (TracesDirectory)." };
        var random = new Option<int?>("--random") { Description = "Number of seeded random sequences (RandomSequences)." };
        var seed = new Option<int?>("--seed") { Description = "Seed of the first random sequence (RandomSeed)." };
        var length = new Option<int?>("--sequence-length") { Description = "Steps per random sequence (SequenceLength)." };
        var testTimeout = new Option<double?>("--test-timeout") { Description = "Seconds per test case (TestTimeoutSeconds)." };
        var runTimeout = new Option<double?>("--run-timeout") { Description = "Seconds for the whole run (RunTimeoutSeconds)." };
        var origin = new Option<string>("--origin") { Description = "KCIDB origin (Origin)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be done, run nothing, change nothing (DryRun)." };
        var allowHostChanges = new Option<bool>("--allow-host-changes") { Description = "Allow binding allowlisted devices to vfio-pci (AllowHostChanges)." };
        var lava = new Option<string>("--lava") { Description = "LAVA signals: auto (when lava-test-case is on PATH) or off (Lava)." };
        lava.AcceptOnlyFromAmong("auto", "off");
        var kernelImage = new Option<string>("--kernel") { Description = "bzImage to boot instead of the cached test kernel (VmSettings:KernelImage)." };
        var kernelSeries = new Option<string>("--series") { Description = "Test kernel to boot: a series or role of scripts/kernels.conf, e.g. 6.12, 7.3, lts, stable (VmSettings:KernelSeries). Default: IOMMUFD_KERNEL_SERIES, else lts." };
        var nunit = new Option<string[]>("--nunit") { Description = "A prebuilt NUnit assembly to run with dotnet vstest and fold in (repeatable; NUnitAssemblies)." };
        Option[] runOptions = [nunit, output, backend, vm, traces, random, seed, length, testTimeout, runTimeout, origin, dryRun, allowHostChanges, lava, kernelImage, kernelSeries];

        Dictionary<string, string?> Configuration(ParseResult p)
        {
            var c = new Dictionary<string, string?>();
            void Set(string key, string? value) { if (value is not null) c[key] = value; }
            Set("OutputDirectory", p.GetValue(output));
            string[]? backends = p.GetValue(backend);
            if (backends is { Length: > 0 })
                for (int i = 0; i < backends.Length; i++) c[$"Backends:{i}"] = backends[i];
            string[]? assemblies = p.GetValue(nunit);
            if (assemblies is { Length: > 0 })
                for (int i = 0; i < assemblies.Length; i++) c[$"NUnitAssemblies:{i}"] = assemblies[i];
            Set("Vm", p.GetValue(vm));
            Set("TracesDirectory", p.GetValue(traces));
            Set("RandomSequences", p.GetValue(random)?.ToString(CultureInfo.InvariantCulture));
            Set("RandomSeed", p.GetValue(seed)?.ToString(CultureInfo.InvariantCulture));
            Set("SequenceLength", p.GetValue(length)?.ToString(CultureInfo.InvariantCulture));
            Set("TestTimeoutSeconds", p.GetValue(testTimeout)?.ToString(CultureInfo.InvariantCulture));
            Set("RunTimeoutSeconds", p.GetValue(runTimeout)?.ToString(CultureInfo.InvariantCulture));
            Set("Origin", p.GetValue(origin));
            if (p.GetValue(dryRun)) c["DryRun"] = "true";
            if (p.GetValue(allowHostChanges)) c["AllowHostChanges"] = "true";
            Set("Lava", p.GetValue(lava));
            Set("VmSettings:KernelImage", p.GetValue(kernelImage));
            Set("VmSettings:KernelSeries", p.GetValue(kernelSeries));
            return c;
        }

        string Line(ParseResult p) => string.Join(' ', p.Tokens.Select(t => t.Value));

        var probe = new Command("probe", "Show what this host offers: kernel, iommufd, IOMMUFD_TEST, VFIO cdev, IOMMUs and groups, vfio-pci devices, qemu, the cached test kernel.");
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        probe.Options.Add(json);
        probe.SetAction((p, ct) => invoke(new VerbRequest("probe", Line(p)) { Json = p.GetValue(json) }, new Dictionary<string, string?>(), ct));

        var run = new Command("run", "Run the conformance suite and the differential sequences on every backend this host offers; KTAP on stdout, files in the output folder.");
        foreach (Option o in runOptions) run.Options.Add(o);
        run.SetAction((p, ct) => invoke(new VerbRequest("run", Line(p)), Configuration(p), ct));

        var vmCommand = new Command("vm", "Boot the test kernel (building it if the cache lacks it) and run the suite inside; merge the guest's results.");
        var model = new Argument<string>("model") { Description = "IOMMU model: intel, amd, virtio.", DefaultValueFactory = _ => "intel" };
        model.AcceptOnlyFromAmong("intel", "amd", "virtio");
        vmCommand.Arguments.Add(model);
        foreach (Option o in runOptions.Where(o => o != vm && o != backend)) vmCommand.Options.Add(o);
        vmCommand.SetAction((p, ct) =>
        {
            var c = Configuration(p);
            c["Vm"] = p.GetValue(model);
            return invoke(new VerbRequest("vm", Line(p)), c, ct);
        });

        var file = new Argument<string>("file") { Description = "A recorded trace." };
        var replayBackend = new Option<string>("--backend", "-b") { Description = "Backend to replay on.", DefaultValueFactory = _ => "engine" };
        replayBackend.AcceptOnlyFromAmong([.. RunnerOptionsValidator.KnownBackends]);
        var replay = new Command("replay", "Replay one trace on one backend and check it against what the trace recorded.");
        replay.Arguments.Add(file);
        replay.Options.Add(replayBackend);
        replay.Options.Add(testTimeout);
        replay.SetAction((p, ct) => invoke(new VerbRequest("replay", Line(p)) { TraceFile = p.GetValue(file), Backend = p.GetValue(replayBackend)! }, Configuration(p), ct));

        var left = new Option<string>("--left") { Description = "First backend.", DefaultValueFactory = _ => "engine" };
        var right = new Option<string>("--right") { Description = "Second backend.", DefaultValueFactory = _ => "kernel" };
        left.AcceptOnlyFromAmong([.. RunnerOptionsValidator.KnownBackends]);
        right.AcceptOnlyFromAmong([.. RunnerOptionsValidator.KnownBackends]);
        var diff = new Command("diff", "Replay one trace on two backends and show the first divergence.");
        diff.Arguments.Add(file);
        diff.Options.Add(left);
        diff.Options.Add(right);
        diff.Options.Add(testTimeout);
        diff.SetAction((p, ct) => invoke(new VerbRequest("diff", Line(p)) { TraceFile = p.GetValue(file), Backend = p.GetValue(left)!, OtherBackend = p.GetValue(right)! }, Configuration(p), ct));

        root.Subcommands.Add(probe);
        root.Subcommands.Add(run);
        root.Subcommands.Add(vmCommand);
        root.Subcommands.Add(replay);
        root.Subcommands.Add(diff);
        return root;
    }
}
