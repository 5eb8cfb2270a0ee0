using System.Collections.Concurrent;
using IommuFd.Bindings.Backends;
using IommuFd.TestVm;
using NUnit.Framework;
using IommuFd.Interop;

namespace IommuFd.Testing;

/// <summary>
/// The kernel test tier. A test marked <c>[Category("Kernel")]</c> calls <see cref="Backend()"/>:
/// <list type="bullet">
/// <item>where <c>/dev/iommu</c> exists (inside the test VM, or on a lab host with an IOMMU) it gets the real kernel;</item>
/// <item>on a host without it but with QEMU and a built test kernel, the first call boots the VM once for the
/// whole test assembly, runs all its Kernel tests inside, and every host-side call ends its test with the
/// guest's outcome for that same test (pass, fail with the guest's message and output, or skip);</item>
/// <item>with neither, the test is skipped with the reason, or fails when IOMMUFD_REQUIRE_KERNEL=1.</item>
/// </list>
/// </summary>
public static class KernelTier
{
    /// <summary>The NUnit category of tests that need the real kernel.</summary>
    public const string Category = "Kernel";

    private const string IommuDevice = "/dev/iommu";
    private static readonly ConcurrentDictionary<(string Assembly, IommuModel Model), Lazy<Task<GuestTestRun>>> Runs = new();

    /// <summary>True inside the test VM (its init sets IOMMUFD_IN_GUEST=1).</summary>
    public static bool InGuest => Environment.GetEnvironmentVariable(EnvironmentVariables.InGuest) == "1";

    /// <summary>The model for tests that do not name one: IOMMUFD_VM_IOMMU, or intel.</summary>
    public static IommuModel DefaultModel =>
        Environment.GetEnvironmentVariable(EnvironmentVariables.VmIommu) is { Length: > 0 } name ? IommuModels.Parse(name) : IommuModel.Intel;

    /// <summary>True when the real kernel's iommufd is reachable from this process.</summary>
    public static bool HasKernel => File.Exists(IommuDevice);

    /// <summary>The real kernel's backend for a Kernel-category test that runs under any IOMMU model
    /// (in the VM: the default model's VM). See <see cref="KernelTier"/> for what happens without one.</summary>
    public static IIommuBackend Backend() => Resolve(null);

    /// <summary>The real kernel's backend for a test that must run behind <paramref name="model"/>: in the VM
    /// tier it runs in a VM emulating that model (one VM per model and assembly); on a lab host it runs only when
    /// the host's IOMMU is that model.</summary>
    public static IIommuBackend Backend(IommuModel model) => Resolve(model);

    /// <summary>The edu devices the test VM bound to vfio-pci, as VFIO cdev paths (/dev/vfio/devices/vfioN).
    /// Skips the test when there are none (on a lab host, or a VM without an IOMMU).</summary>
    public static IReadOnlyList<string> EduVfioDevices()
    {
        var cdevs = new List<string>();
        string addresses = Environment.GetEnvironmentVariable(EnvironmentVariables.GuestVfioDevices) ?? "";
        foreach (string address in addresses.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string vfioDev = Path.Combine("/sys/bus/pci/devices", address, "vfio-dev");
            if (!Directory.Exists(vfioDev))
                continue;
            foreach (string node in Directory.EnumerateDirectories(vfioDev))
                cdevs.Add(Path.Combine("/dev/vfio/devices", Path.GetFileName(node)));
        }
        if (cdevs.Count == 0)
            Assert.Ignore("no edu device bound to vfio-pci here (the kernel tier's test VM provides two behind its emulated IOMMU)");
        cdevs.Sort(StringComparer.Ordinal);
        return cdevs;
    }

    /// <summary>The IOMMU model of this machine: the VM's in the guest, or guessed from /sys/class/iommu on a lab host.</summary>
    public static IommuModel? CurrentModel()
    {
        if (InGuest)
            return Environment.GetEnvironmentVariable(EnvironmentVariables.GuestIommu) is { Length: > 0 } m ? IommuModels.Parse(m) : null;
        if (!Directory.Exists("/sys/class/iommu"))
            return IommuModel.None;
        var names = Directory.EnumerateFileSystemEntries("/sys/class/iommu").Select(Path.GetFileName).ToList();
        if (names.Count == 0)
            return IommuModel.None;
        if (names.Any(n => n!.StartsWith("dmar", StringComparison.Ordinal)))
            return IommuModel.Intel;
        if (names.Any(n => n!.StartsWith("ivhd", StringComparison.Ordinal)))
            return IommuModel.Amd;
        if (names.Any(n => n!.StartsWith("smmu3.", StringComparison.Ordinal)))
            return IommuModel.Smmuv3;
        return null;
    }

    internal static int RunTimeoutMinutes() =>
        int.TryParse(Environment.GetEnvironmentVariable(EnvironmentVariables.VmTimeoutMinutes), out int minutes) && minutes > 0 ? minutes : 40;

    internal static VmAccelerator Accelerator() => Environment.GetEnvironmentVariable(EnvironmentVariables.VmAccelerator)?.ToLowerInvariant() switch
    {
        "kvm" => VmAccelerator.Kvm,
        "auto" => VmAccelerator.Auto,
        _ => VmAccelerator.Tcg,
    };

    private static IIommuBackend Resolve(IommuModel? requested)
    {
        if (HasKernel)
        {
            SkipUnlessThisMachineIs(requested);
            return KernelBackends.Create();
        }
        if (InGuest)
            Assert.Fail($"inside the test VM but {IommuDevice} is missing: the test kernel lacks CONFIG_IOMMUFD");
        RunInVmAndReport(requested ?? DefaultModel);
        throw new InvalidOperationException("unreachable: the VM tier always ends the test");
    }

    private static void SkipUnlessThisMachineIs(IommuModel? requested)
    {
        IommuModel? current = CurrentModel();
        if (InGuest)
        {
            IommuModel wanted = requested ?? DefaultModel;
            if (current != wanted)
                Assert.Ignore($"runs in the {wanted.Name()} VM of the kernel tier; this guest emulates {current?.Name() ?? "an unknown IOMMU"}");
        }
        else if (requested is { } model && current != model)
        {
            Assert.Ignore($"needs a {model.Name()} IOMMU; this host has {current?.Name() ?? "an unrecognised IOMMU"}");
        }
    }

    private static void RunInVmAndReport(IommuModel model)
    {
        string? qemu = FindOnPath("qemu-system-x86_64");
        var kernel = TestKernel.Locate();
        if (qemu is null || !kernel.Found)
        {
            string why = qemu is null ? "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)" : kernel.Explanation;
            string message = $"no {IommuDevice} and no QEMU test VM: {why}. Build the test kernel with {TestKernel.BuildCommand(TestKernel.RequestedSeries())}, or run on a host with an IOMMU and iommufd.";
            if (Environment.GetEnvironmentVariable(EnvironmentVariables.RequireKernel) == "1")
                Assert.Fail($"{message} ({EnvironmentVariables.RequireKernel}=1 demands the kernel)");
            Assert.Ignore(message);
        }

        var test = TestContext.CurrentContext.Test;
        string assembly = test.MethodInfo?.DeclaringType?.Assembly.Location
            ?? throw new InvalidOperationException("KernelTier.Backend() must be called from an NUnit test method");

        var run = Runs.GetOrAdd((assembly, model), key => new Lazy<Task<GuestTestRun>>(
            () => GuestTestRun.RunAsync(key.Assembly, key.Model, kernel.ImagePath!, CancellationToken.None)));
        GuestTestRun result = run.Value.GetAwaiter().GetResult();
        GuestOutcome.Report(result, test.FullName, model);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
