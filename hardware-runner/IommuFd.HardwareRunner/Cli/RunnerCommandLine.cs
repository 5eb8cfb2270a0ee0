using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using IommuFd.HardwareRunner.Hosting;
using IommuFd.HardwareRunner.Model;
using Microsoft.Extensions.Configuration;

namespace IommuFd.HardwareRunner.Cli;

/// <summary>The command line: verbs and options. Options that are configuration become
/// configuration keys (the highest-precedence source), so the command line, environment variables
/// and appsettings.json all set the same <see cref="RunnerOptions"/>. Help shows each option's
/// default (from the embedded appsettings.json) and environment variable, the settings that have
/// no option, and the exit codes.</summary>
public static class RunnerCommandLine
{
    /// <summary>Runs a verb: the request and the configuration keys given on the command line.</summary>
    public delegate Task<int> Invoke(VerbRequest request, IReadOnlyDictionary<string, string?> configuration, CancellationToken cancellationToken);

    /// <summary>The root command with every verb wired to <paramref name="invoke"/>. Named
    /// <see cref="RunnerProgram.Name"/> itself: <see cref="RootCommand"/> takes its name from the executable's
    /// file name without "extension", which turns the published single file IommuFd.HardwareRunner into "IommuFd".</summary>
    public static Command Build(Invoke invoke)
    {
        IConfiguration defaults = EmbeddedSettings.Load();
        var keyed = new List<(Option Option, string Key)>();
        string Setting(string text, string key, string? whenEmpty = null)
        {
            return $"{text} [default: {Shown(defaults[key], whenEmpty)}] [env: {EnvironmentVariable(key)}]";
        }
        T Keyed<T>(T option, string key) where T : Option
        {
            keyed.Add((option, key));
            return option;
        }

        var root = new Command(RunnerProgram.Name, $"{RunnerProgram.Name}: the iommufd conformance runner. Probes the host, runs the conformance suite on every backend it offers, writes KTAP, JUnit, KCIDB and a report.")
        {
            new HelpOption(),
            new VersionOption(),
        };

        var output = Keyed(new Option<string>("--output", "-o") { Description = Setting("Folder for result files; a folder named here needs a parent that exists.", "OutputDirectory") }, "OutputDirectory");
        var backend = new Option<string[]>("--backend", "-b") { Description = $"Backend to run on: engine, kernel (repeatable; a backend named here is demanded: its absence fails the run). [default: engine, plus kernel where /dev/iommu exists] [env: {EnvironmentVariable("Backends:0")}, …]", AllowMultipleArgumentsPerToken = false };
        backend.AcceptOnlyFromAmong([.. RunnerOptionsValidator.KnownBackends]);
        var vm = Keyed(new Option<string>("--vm") { Description = Setting("Run inside the test kernel under QEMU: intel, amd, virtio, none, auto (when qemu and a cached test kernel exist).", "Vm") }, "Vm");
        vm.AcceptOnlyFromAmong([.. RunnerOptionsValidator.VmChoices]);
        var traces = Keyed(new Option<string>("--traces") { Description = Setting("Folder of recorded traces (*.jsonl, searched recursively).", "TracesDirectory", "conformance/traces of the repository the runner is in") }, "TracesDirectory");
        var random = Keyed(WholeNumber("--random", Setting("Number of seeded random sequences.", "RandomSequences")), "RandomSequences");
        var seed = Keyed(WholeNumber("--seed", Setting("Seed of the first random sequence (sequence i uses seed + i).", "RandomSeed")), "RandomSeed");
        var length = Keyed(WholeNumber("--sequence-length", Setting("Steps per random sequence.", "SequenceLength")), "SequenceLength");
        var testTimeout = Keyed(Seconds("--test-timeout", Setting("Seconds per test case.", "TestTimeoutSeconds")), "TestTimeoutSeconds");
        var runTimeout = Keyed(Seconds("--run-timeout", Setting("Seconds for the whole run.", "RunTimeoutSeconds")), "RunTimeoutSeconds");
        var origin = Keyed(new Option<string>("--origin") { Description = Setting("KCIDB origin, [a-z0-9_]+.", "Origin") }, "Origin");
        var artifactsUrl = Keyed(new Option<string>("--artifacts-url") { Description = Setting("URL the output folder will be published at: the base of KCIDB output_files links.", "ArtifactsUrl", "the folder's file:// URL") }, "ArtifactsUrl");
        var dryRun = new Option<bool>("--dry-run") { Description = Setting("Print what would be done, run nothing, change nothing.", "DryRun") };
        var allowHostChanges = new Option<bool>("--allow-host-changes") { Description = Setting("Allow binding allowlisted devices to vfio-pci.", "AllowHostChanges") };
        var lava = Keyed(new Option<string>("--lava") { Description = Setting("LAVA signals: auto (when lava-test-case is on PATH) or off.", "Lava") }, "Lava");
        lava.AcceptOnlyFromAmong([.. RunModes.Words<LavaMode>()]);
        var kernelImage = Keyed(new Option<string>("--kernel") { Description = Setting("bzImage to boot in the VM.", "VmSettings:KernelImage", "the cached test kernel") }, "VmSettings:KernelImage");
        var nunit = new Option<string[]>("--nunit") { Description = $"A prebuilt NUnit assembly to run with dotnet vstest and fold in (repeatable). [default: none] [env: {EnvironmentVariable("NUnitAssemblies:0")}, …]" };
        var kernelSeries = Keyed(new Option<string>("--series") { Description = Setting("Test kernel to boot: a series or role of scripts/kernels.conf (6.12, 7.3, lts, stable).", "VmSettings:KernelSeries", "IOMMUFD_KERNEL_SERIES, else lts") }, "VmSettings:KernelSeries");
        var arm64Runner = Keyed(new Option<string>("--arm64-runner") { Description = Setting("Folder of this runner published for linux-arm64 with its traces: what the arm64-smmuv3 guest runs.", "VmSettings:Arm64Runner", "artifacts/arm64/runner") }, "VmSettings:Arm64Runner");
        Option[] runOptions = [nunit, output, backend, vm, traces, random, seed, length, testTimeout, runTimeout, origin, artifactsUrl, dryRun, allowHostChanges, lava, kernelImage, kernelSeries, arm64Runner];

        Dictionary<string, string?> Configuration(ParseResult p)
        {
            var c = new Dictionary<string, string?>();
            foreach ((Option option, string key) in keyed)
                if (p.GetResult(option) is { Implicit: false })
                    c[key] = Text(p, option);
            void List(Option<string[]> option, string key)
            {
                string[]? values = p.GetValue(option);
                for (int i = 0; i < (values?.Length ?? 0); i++) c[$"{key}:{i}"] = values![i];
            }
            List(backend, "Backends");
            List(nunit, "NUnitAssemblies");
            if (p.GetValue(dryRun)) c["DryRun"] = "true";
            if (p.GetValue(allowHostChanges)) c["AllowHostChanges"] = "true";
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
        var model = new Argument<string>("model") { Description = "IOMMU model: intel, amd, virtio (x86_64 guests), arm64-smmuv3 (the arm64 guest).", DefaultValueFactory = _ => RunModes.Word(VmMode.Intel) };
        model.AcceptOnlyFromAmong([.. RunModes.Words<VmMode>().Except([RunModes.Word(VmMode.Auto), RunModes.Word(VmMode.None)])]);
        vmCommand.Arguments.Add(model);
        foreach (Option o in runOptions.Where(o => o != vm && o != backend)) vmCommand.Options.Add(o);
        vmCommand.SetAction((p, ct) =>
        {
            var c = Configuration(p);
            c["Vm"] = p.GetValue(model);
            return invoke(new VerbRequest("vm", Line(p)), c, ct);
        });

        var file = new Argument<string>("file") { Description = "A trace file (JSON Lines), a repro file of a run included." };
        var replayBackend = new Option<string>("--backend", "-b") { Description = "Backend to replay on.", DefaultValueFactory = _ => "engine" };
        replayBackend.AcceptOnlyFromAmong([.. RunnerOptionsValidator.KnownBackends]);
        var replay = new Command("replay", "Replay one trace on one backend: each step's result as one JSON line on stdout (docs/traces.md), the case's KTAP result on stderr.");
        replay.Arguments.Add(file);
        replay.Options.Add(replayBackend);
        replay.Options.Add(testTimeout);
        replay.SetAction((p, ct) => invoke(new VerbRequest("replay", Line(p)) { TraceFile = p.GetValue(file), Backend = p.GetValue(replayBackend)! }, Configuration(p), ct));

        var left = new Option<string>("--left") { Description = "First backend.", DefaultValueFactory = _ => "engine" };
        var right = new Option<string>("--right") { Description = "Second backend.", DefaultValueFactory = _ => "kernel" };
        left.AcceptOnlyFromAmong([.. RunnerOptionsValidator.KnownBackends]);
        right.AcceptOnlyFromAmong([.. RunnerOptionsValidator.KnownBackends]);
        var diff = new Command("diff", "Replay one trace on two backends; KTAP on stdout with the first divergence.");
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
        if (root.Options.OfType<HelpOption>().SingleOrDefault() is { Action: HelpAction standard } help)
            help.Action = new HelpWithFooter(standard, o => Footer(o, defaults, [.. keyed.Select(k => k.Key), "DryRun", "AllowHostChanges", "Backends", "NUnitAssemblies", "VfioAllowlist"]));
        return root;
    }

    /// <summary>The environment variable that sets a configuration key.</summary>
    public static string EnvironmentVariable(string key) => RunnerHost.EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>What help ends with: the settings without an option, other environment variables, exit codes.</summary>
    private static void Footer(TextWriter o, IConfiguration defaults, IEnumerable<string> optionKeys)
    {
        var covered = optionKeys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var settings = defaults.AsEnumerable()
            .Where(kv => kv.Value is not null && !covered.Contains(kv.Key) && !kv.Key.StartsWith("Logging", StringComparison.Ordinal))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .ToList();
        o.WriteLine("Settings, lowest to highest: the defaults shown here, " + RunnerHost.LocalSettingsFile + " in the working directory,");
        o.WriteLine($"{RunnerHost.EnvironmentPrefix}<Key> environment variables (\"__\" for \":\"), then the command line. Settings without an option:");
        int width = settings.Select(kv => kv.Key.Length).Append("VfioAllowlist".Length).Max();
        foreach (var (key, value) in settings)
            o.WriteLine($"  {key.PadRight(width)}  [default: {Shown(value, null)}] [env: {EnvironmentVariable(key)}]");
        o.WriteLine($"  {"VfioAllowlist".PadRight(width)}  [default: none] [env: {EnvironmentVariable("VfioAllowlist:0:Address")}, {EnvironmentVariable("VfioAllowlist:0:VendorDevice")}, …]");
        o.WriteLine();
        o.WriteLine("Other environment variables:");
        o.WriteLine("  IOMMUFD_REQUIRE_KERNEL=1  demand the kernel backend: its absence fails the run instead of skipping");
        o.WriteLine("  IOMMUFD_CACHE_DIR         cache of test kernels and sources [default: $XDG_CACHE_HOME/iommufd-conformance or ~/.cache/iommufd-conformance]");
        o.WriteLine();
        o.WriteLine("Exit codes:");
        o.WriteLine("  0    every case that ran passed");
        o.WriteLine("  1    a failure, error, timeout, unexpected pass or case not run, or an incomplete run");
        o.WriteLine("  4    every case was skipped");
        o.WriteLine("  64   invalid command line, setting or path; nothing was run");
        o.WriteLine("  124  the whole-run time limit was reached");
    }

    /// <summary>The standard help, then the footer.</summary>
    private sealed class HelpWithFooter(HelpAction standard, Action<TextWriter> footer) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int exit = standard.Invoke(parseResult);
            TextWriter output = parseResult.InvocationConfiguration.Output;
            output.WriteLine();
            footer(output);
            return exit;
        }
    }

    /// <summary>A default as help shows it: JSON's spelling of booleans, what an empty value means.</summary>
    private static string Shown(string? value, string? whenEmpty) => value switch
    {
        "True" or "False" => value.ToLowerInvariant(),
        { Length: > 0 } => value,
        _ => whenEmpty ?? "(empty)",
    };

    /// <summary>The option's value as the configuration text it stands for.</summary>
    private static string? Text(ParseResult p, Option option) => option switch
    {
        Option<int?> whole => p.GetValue(whole)?.ToString(CultureInfo.InvariantCulture),
        Option<double?> seconds => p.GetValue(seconds)?.ToString(CultureInfo.InvariantCulture),
        Option<string> text => p.GetValue(text),
        _ => throw new InvalidOperationException($"option {option.Name} has no configuration text"),
    };

    private static Option<int?> WholeNumber(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r => Number(r, name, (string t, out int v) => int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v)),
    };

    private static Option<double?> Seconds(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r => Number(r, name, (string t, out double v) => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && double.IsFinite(v)),
    };

    private delegate bool TryParse<T>(string text, out T value);

    /// <summary>A number option's value, or an error worded as the configuration's own
    /// (<c>--random: 'abc' is not a whole number</c>), never .NET type names.</summary>
    private static T? Number<T>(ArgumentResult result, string name, TryParse<T> parse) where T : struct
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (parse(text, out T value)) return value;
        result.AddError($"{name}: {ConfigurationErrors.NotA(text, typeof(T))}");
        return null;
    }
}
