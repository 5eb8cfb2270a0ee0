using System.Globalization;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Probe;
using IommuFd.HardwareRunner.Suites;
using IommuFd.HardwareRunner.Vm;
using Microsoft.Extensions.Logging;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>The run's other environment: the test kernel under QEMU. Decides whether it boots (always for the
/// <c>vm</c> verb or a chosen model; with <see cref="VmMode.Auto"/> when qemu and a test kernel are there),
/// finds or builds the kernel, writes the guest's arguments, and where no model was chosen adds follow-up
/// sessions on the other models for the traces no earlier group could diff against a kernel.</summary>
/// <param name="o">The run's options.</param>
/// <param name="vmVerb">True for the <c>vm</c> verb, which boots the VM whatever else.</param>
/// <param name="components">The VM launcher and the kernel locator.</param>
/// <param name="logger">The run verb's logger.</param>
public sealed class VmEnvironment(RunnerOptions o, bool vmVerb, RunnerComponents components, ILogger logger)
{
    /// <summary>Models a follow-up session may boot, in order; what each gives is found by the probes inside it.</summary>
    private static readonly VmMode[] FollowUpModels = [VmMode.Virtio, VmMode.Amd];

    private bool ModelChosen => o.VmMode is VmMode.Intel or VmMode.Amd or VmMode.Virtio or VmMode.Arm64Smmuv3;

    /// <summary>The arm64 guest: its own kernel, userland and runner (the linux-arm64 publish), no follow-up sessions.</summary>
    private bool Arm64 => o.VmMode == VmMode.Arm64Smmuv3;

    /// <summary>The kernel architecture of the run's VM: <c>arm64</c> for <see cref="VmMode.Arm64Smmuv3"/>, else <c>x86_64</c>.</summary>
    public static string KernelArchitecture(RunnerOptions o) => o.VmMode == VmMode.Arm64Smmuv3 ? "arm64" : "x86_64";

    /// <summary>The configured kernel image, else the components' locator for the configured series, else any cached one.</summary>
    public static KernelLookup LocateKernel(RunnerOptions o, RunnerComponents components)
    {
        if (o.VmSettings.KernelImage.Length > 0)
        {
            string image = Path.GetFullPath(o.VmSettings.KernelImage);
            return new KernelLookup(TestKernelInfo.FromImage(image), $"VmSettings:KernelImage {image}");
        }
        return components.LocateKernel?.Invoke(o.VmSettings.KernelSeries, KernelArchitecture(o)) ?? HostProbe.CachedKernel(RunVerb.Paths(o));
    }

    /// <summary>The arm64 guest's runner folder: <see cref="VmRunOptions.Arm64Runner"/>, else the repository's artifacts/arm64/runner.</summary>
    public static string Arm64RunnerFolder(RunnerOptions o) =>
        Path.GetFullPath(o.VmSettings.Arm64Runner.Length > 0 ? o.VmSettings.Arm64Runner
            : Path.Combine(RepositoryLocator.Find() ?? ".", "artifacts", "arm64", "runner"));

    /// <summary>The VM groups: the chosen (or default) model's, replaying <paramref name="tracesFolder"/>, and
    /// where the model was not chosen, a follow-up session per other model for those of
    /// <paramref name="traces"/> no earlier group diffed against a kernel (<paramref name="coverage"/>).</summary>
    public List<TestGroup> Groups(HostFacts facts, string output, string? tracesFolder, IReadOnlyList<TraceFile> traces, CoverageSink coverage, CancellationToken stoppingToken)
    {
        if (MainGroup(facts, output, tracesFolder, stoppingToken) is not { } main)
            return [];
        var groups = new List<TestGroup> { main.Group };
        if (vmVerb || ModelChosen || main.Kernel is null || traces.Count == 0)
            return groups;
        foreach (string model in FollowUpModels.Select(RunModes.Word).Where(m => $"vm_{m}" != main.Group.Name))
        {
            string subset = Path.Combine(output, $"vm_{model}.traces");
            var factory = Factory(GuestArguments(subset, everything: false));
            groups.Add(new FollowUpVmGroup(coverage, traces, subset).Create(factory.Create(model, main.Kernel, Path.Combine(output, $"vm_{model}"))));
        }
        return groups;
    }

    private (TestGroup Group, TestKernelInfo? Kernel)? MainGroup(HostFacts facts, string output, string? tracesFolder, CancellationToken stoppingToken)
    {
        string model = RunModes.Word(ModelChosen ? o.VmMode : VmMode.Intel);
        if (!vmVerb && !ModelChosen)
        {
            if (o.VmMode == VmMode.None) return null;
            string? why = Environment.GetEnvironmentVariable("IOMMUFD_IN_GUEST") == "1" ? "already inside the test VM"
                : components.VmRunner is null ? "this runner was built without the VM launcher"
                : !facts.Qemu.Present ? facts.Qemu.Detail
                : !facts.TestKernel.Present ? $"{facts.TestKernel.Detail} (the vm command builds it)"
                : null;
            if (why is not null) { Log.VmSkipped(logger, why); return null; }
        }

        string name = $"vm_{model}";
        KernelLookup lookup = LocateKernel(o, components);
        TestKernelInfo? kernel = lookup.Kernel;
        KernelIdentity planned = kernel is null ? KernelIdentity.Unavailable($"test kernel (VM, {model} IOMMU)") : VmGroupFactory.Identity(model, kernel);
        if (components.VmRunner is null) return (Failed(name, planned, "this runner was built without the VM launcher (IommuFd.TestVm)"), null);
        if (!facts.Qemu.Present) return (Failed(name, planned, $"qemu is needed for the test VM: {facts.Qemu.Detail}"), null);
        if (kernel is null && o.VmSettings.BuildKernelIfMissing && !o.DryRun)
        {
            string script = components.KernelBuildScript ?? Path.Combine(RepositoryLocator.Find() ?? ".", "hardware-runner", "kernel", "build-kernel.sh");
            Log.KernelBuilding(logger, script);
            try { kernel = new KernelBuilder(script, lookup.Series ?? o.VmSettings.KernelSeries, KernelArchitecture(o), line => Log.KernelBuildLine(logger, line)).Build(stoppingToken); }
            catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or OperationCanceledException)
            {
                return (Failed(name, planned, $"the test kernel could not be built: {e.Message}"), null);
            }
        }
        if (kernel is null) return (Failed(name, planned, $"no test kernel: {lookup.Detail}"), null);
        if (Arm64 && !File.Exists(Path.Combine(Arm64RunnerFolder(o), RunnerProgram.Name)))
            return (Failed(name, planned, $"no linux-arm64 runner in {Arm64RunnerFolder(o)} for the arm64 guest (scripts/arm64-tier.sh publishes it; VmSettings:Arm64Runner names another folder)"), null);
        Log.VmPlanned(logger, model, kernel.Image);
        return (Factory(GuestArguments(tracesFolder, everything: true)).Create(model, kernel, Path.Combine(output, name)), kernel);
    }

    private VmGroupFactory Factory(List<string> guestArguments) =>
        new(components.VmRunner!, Arm64 ? GuestRunSettings.Published(Arm64RunnerFolder(o), components.VmRunner!.GuestAppDirectory, guestArguments) : GuestRunSettings.ForThisRunner(guestArguments),
            TimeSpan.FromSeconds(o.VmSettings.BootTimeoutSeconds), TimeSpan.FromSeconds(o.VmSettings.RunTimeoutSeconds), o.VmSettings.MemoryMiB, line => Log.Progress(logger, line),
            o.VmSettings.HugePages);

    /// <summary>The guest's <c>run</c> arguments: both backends (kernel demanded), the traces of
    /// <paramref name="traces"/>, the same limits; with <paramref name="everything"/> also the random
    /// sequences and NUnit assemblies (a follow-up session replays its traces only).</summary>
    private List<string> GuestArguments(string? traces, bool everything)
    {
        var args = new List<string> { "--backend", RunModes.Word(RunnerBackend.Engine), "--backend", RunModes.Word(RunnerBackend.Kernel) };
        // The arm64 guest cannot see the host's files: it replays the traces published beside its runner
        // (their folder is found next to the runner), and has no NUnit assemblies of its architecture.
        if (traces is not null && !Arm64) args.AddRange(["--traces", traces]);
        if (everything && !Arm64)
            foreach (string assembly in o.NUnitAssemblies) args.AddRange(["--nunit", Path.GetFullPath(assembly)]);
        double guestRunLimit = Math.Max(o.TestTimeoutSeconds, o.VmSettings.RunTimeoutSeconds - o.VmSettings.BootTimeoutSeconds);
        args.AddRange([
            "--random", (everything ? o.RandomSequences : 0).ToString(CultureInfo.InvariantCulture),
            "--seed", o.RandomSeed.ToString(CultureInfo.InvariantCulture),
            "--sequence-length", o.SequenceLength.ToString(CultureInfo.InvariantCulture),
            "--test-timeout", o.TestTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
            "--run-timeout", Math.Min(o.RunTimeoutSeconds, guestRunLimit).ToString(CultureInfo.InvariantCulture),
            "--origin", o.Origin,
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
}
