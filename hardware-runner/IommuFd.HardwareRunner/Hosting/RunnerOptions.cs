using IommuFd.HardwareRunner.Vfio;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>Everything the runner can be told, bound from the configuration root: embedded
/// appsettings.json, then <c>IOMMUFD_RUNNER_*</c> environment variables (<c>__</c> for nesting),
/// then the command line. Checked by <see cref="RunnerOptionsValidator"/> and, for the paths a
/// verb uses, <see cref="RunnerPathsValidator"/> at start.</summary>
public sealed class RunnerOptions
{
    /// <summary>The output folder when none is named: under the working directory, created with its parents.</summary>
    public const string DefaultOutputDirectory = "artifacts/hardware-runner";

    /// <summary>Folder for result files: created if needed; a folder named here needs a parent that exists.</summary>
    public string OutputDirectory { get; set; } = DefaultOutputDirectory;

    /// <summary>Folder of recorded traces; empty: <c>conformance/traces</c> of the repository the runner sits in.</summary>
    public string TracesDirectory { get; set; } = "";

    /// <summary>Backends to run on: <c>engine</c>, <c>kernel</c>. Empty: engine, plus the kernel when /dev/iommu exists.
    /// A backend named here that the host lacks is a failure, not a skip.</summary>
    public List<string> Backends { get; set; } = [];

    /// <summary>Test kernel under QEMU: <c>auto</c> (when qemu and a cached test kernel exist), <c>none</c>, <c>intel</c>, <c>amd</c>, <c>virtio</c>.</summary>
    public string Vm { get; set; } = RunModes.Word(VmMode.Auto);

    /// <summary>How many seeded random sequences to run.</summary>
    public int RandomSequences { get; set; } = 16;

    /// <summary>Seed of the first random sequence; sequence i uses seed + i.</summary>
    public int RandomSeed { get; set; } = 1;

    /// <summary>Steps per random sequence.</summary>
    public int SequenceLength { get; set; } = 64;

    /// <summary>Time limit of one test case, in seconds.</summary>
    public double TestTimeoutSeconds { get; set; } = 60;

    /// <summary>Time limit of the whole run, in seconds.</summary>
    public double RunTimeoutSeconds { get; set; } = 3600;

    /// <summary>KCIDB origin: <c>[a-z0-9_]+</c>.</summary>
    public string Origin { get; set; } = "iommufd_conformance";

    /// <summary>The URL the output folder will be published at (a CI job's artifacts), the base of
    /// KCIDB <c>output_files</c> links; empty: the folder's own <c>file://</c> URL.</summary>
    public string ArtifactsUrl { get; set; } = "";

    /// <summary>Print what would be done (devices, groups, cases) and stop.</summary>
    public bool DryRun { get; set; }

    /// <summary>Allow steps that reconfigure the host (binding allowlisted devices to vfio-pci).</summary>
    public bool AllowHostChanges { get; set; }

    /// <summary>The only devices that may be bound to vfio-pci. Empty: no device is touched.</summary>
    public List<DeviceAllowance> VfioAllowlist { get; set; } = [];

    /// <summary>LAVA signals: <c>auto</c> (when lava-test-case is on PATH), <c>off</c>.</summary>
    public string Lava { get; set; } = RunModes.Word(LavaMode.Auto);

    /// <summary>Minimum time between rewrites of the rendered result files, in milliseconds
    /// (results.jsonl is appended at once regardless).</summary>
    public int ReportRewriteIntervalMilliseconds { get; set; } = 1000;

    /// <summary>Prebuilt NUnit test assemblies to run with <c>dotnet vstest --logger trx</c>, folded into the results.</summary>
    public List<string> NUnitAssemblies { get; set; } = [];

    /// <summary>The project's cache folder; empty: the rule of build-kernel.sh.</summary>
    public string CacheDirectory { get; set; } = "";

    /// <summary>Where the host is looked at (tests point these at fake trees).</summary>
    public HostRootOptions Host { get; set; } = new();

    /// <summary>The test VM.</summary>
    public VmRunOptions VmSettings { get; set; } = new();

    /// <summary><see cref="Vm"/> as its mode.</summary>
    public VmMode VmMode => RunModes.Parse<VmMode>(Vm);

    /// <summary><see cref="Lava"/> as its mode.</summary>
    public LavaMode LavaMode => RunModes.Parse<LavaMode>(Lava);

    /// <summary><see cref="Backends"/> as backends, in order, each once.</summary>
    public IReadOnlyList<RunnerBackend> BackendKinds => [.. Backends.Select(RunModes.Parse<RunnerBackend>).Distinct()];

    /// <summary>The per-test limit as a time span.</summary>
    public TimeSpan TestTimeout => TimeSpan.FromSeconds(TestTimeoutSeconds);

    /// <summary>The whole-run limit as a time span.</summary>
    public TimeSpan RunTimeout => TimeSpan.FromSeconds(RunTimeoutSeconds);
}

/// <summary>Roots of the host's special file systems.</summary>
public sealed class HostRootOptions
{
    /// <summary>Device nodes.</summary>
    public string Dev { get; set; } = "/dev";
    /// <summary>sysfs.</summary>
    public string Sys { get; set; } = "/sys";
    /// <summary>procfs.</summary>
    public string Proc { get; set; } = "/proc";
    /// <summary>Kernel images and configs.</summary>
    public string Boot { get; set; } = "/boot";
}

/// <summary>How the test kernel is booted.</summary>
public sealed class VmRunOptions
{
    /// <summary>Seconds the guest has to reach its init script.</summary>
    public double BootTimeoutSeconds { get; set; } = 120;
    /// <summary>Seconds the guest has to run the suite and power off.</summary>
    public double RunTimeoutSeconds { get; set; } = 1800;
    /// <summary>Guest memory in MiB.</summary>
    public int MemoryMiB { get; set; } = 2048;
    /// <summary>2 MiB huge pages the guest reserves at boot: the hugetlb traces' buffers (the largest
    /// takes 64), part of <see cref="MemoryMiB"/>.</summary>
    public int HugePages { get; set; } = 96;
    /// <summary>A bzImage to boot instead of the cached test kernel.</summary>
    public string KernelImage { get; set; } = "";
    /// <summary>The test kernel's series or role in scripts/kernels.conf (<c>lts</c>, <c>stable</c>, <c>6.12</c>, <c>7.3</c>);
    /// empty: the kernel tier's (IOMMUFD_KERNEL_SERIES, else lts).</summary>
    public string KernelSeries { get; set; } = "";
    /// <summary>Build the test kernel (about 6 minutes) when the cache lacks it.</summary>
    public bool BuildKernelIfMissing { get; set; } = true;
    /// <summary>The arm64 guest's runner: a folder holding this runner published self-contained for linux-arm64
    /// and the traces beside it (scripts/arm64-tier.sh publishes it); the <c>arm64-smmuv3</c> guest sees it read-only.
    /// Empty: the repository's <c>artifacts/arm64/runner</c>.</summary>
    public string Arm64Runner { get; set; } = "";
}
