using IommuFd.TestVm;
using IommuFd.Interop;

namespace IommuFd.Testing;

/// <summary>
/// One boot of the test VM for one test assembly and IOMMU model: the guest runs every
/// Kernel-category test of the assembly with <c>dotnet vstest</c> (prebuilt on the host, visible
/// through the read-only 9p root) and writes a TRX file to the out share.
/// </summary>
internal sealed class GuestTestRun
{
    internal GuestTestRun(VmResult vm, IReadOnlyDictionary<string, TrxTestResult>? results, string? problem, string trxPath)
    {
        Vm = vm;
        Results = results;
        Problem = problem;
        TrxPath = trxPath;
    }

    /// <summary>How the VM run went.</summary>
    public VmResult Vm { get; }

    /// <summary>The guest's test results by full name; null when there is no usable TRX.</summary>
    public IReadOnlyDictionary<string, TrxTestResult>? Results { get; }

    /// <summary>Why there are no results (VM outcome, missing TRX), or null.</summary>
    public string? Problem { get; }

    /// <summary>Where the TRX file is (or was expected) on the host.</summary>
    public string TrxPath { get; }

    /// <summary>2 MiB huge pages reserved in the guest (192 MiB of its 3 GiB): the largest hugetlb
    /// trace buffer needs 64, the rest is slack for a test and its differential twin.</summary>
    public const int GuestHugePages = 96;

    /// <summary>Boots the VM and runs the assembly's Kernel tests inside.</summary>
    public static async Task<GuestTestRun> RunAsync(string assemblyPath, IommuModel model, string kernelImage, CancellationToken cancellationToken)
    {
        string outDirectory = Path.Combine(Path.GetDirectoryName(assemblyPath)!, "kernel-tier",
            $"{Path.GetFileNameWithoutExtension(assemblyPath)}-{model.Name()}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        string filter = Environment.GetEnvironmentVariable(EnvironmentVariables.VmFilter) is { Length: > 0 } f ? f : $"TestCategory={KernelTier.Category}";
        var environment = new Dictionary<string, string>
        {
            [EnvironmentVariables.VmIommu] = KernelTier.DefaultModel.Name(),
        };
        if (Environment.GetEnvironmentVariable(EnvironmentVariables.RequireKernel) is { } require)
            environment[EnvironmentVariables.RequireKernel] = require;
        // The random differential budget and regression saving are chosen on the host.
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
            if (variable.Key is string name && variable.Value is string value &&
                (name.StartsWith(EnvironmentVariables.RandomPrefix, StringComparison.Ordinal) || name is EnvironmentVariables.Nightly or EnvironmentVariables.SaveRegressions))
                environment[name] = value;

        string script =
            $"mkdir -p \"$IOMMUFD_GUEST_OUT/results\"\n" +
            $"dotnet vstest {InitScript.Quote(assemblyPath)} {InitScript.Quote("--TestCaseFilter:" + filter)} " +
            $"'--logger:trx;LogFileName=kernel.trx' \"--ResultsDirectory:$IOMMUFD_GUEST_OUT/results\"\n";
        var options = new VmOptions
        {
            KernelImage = kernelImage,
            OutDirectory = outDirectory,
            Iommu = model,
            EduDevices = 2,
            MemoryMiB = 3072,
            // MAP_HUGETLB buffers of the hugepage traces: the largest (dirty 128M_huge) takes 64.
            HugePages = GuestHugePages,
            BootTimeout = TimeSpan.FromMinutes(3),
            RunTimeout = TimeSpan.FromMinutes(KernelTier.RunTimeoutMinutes()),
            Accelerator = KernelTier.Accelerator(),
        };
        var vm = await VmLauncher.RunAsync(options, new GuestCommand(script) { Environment = environment, WorkingDirectory = "/run" }, cancellationToken)
            .ConfigureAwait(false);

        string trx = Path.Combine(outDirectory, "results", "kernel.trx");
        await File.WriteAllTextAsync(Path.Combine(outDirectory, "vm-summary.txt"),
            $"{vm.Describe()}\nboot: {vm.BootTime?.TotalSeconds:F1} s\nwhole run: {vm.Elapsed.TotalSeconds:F1} s\n", CancellationToken.None).ConfigureAwait(false);
        if (vm.Outcome != VmOutcome.Completed)
            return new GuestTestRun(vm, null, vm.Describe(), trx);
        if (!File.Exists(trx))
            return new GuestTestRun(vm, null, $"the guest wrote no TRX file ({trx}); dotnet vstest exited with {vm.ExitCode}. Console tail:\n{Tail(vm.Console)}", trx);
        try
        {
            return new GuestTestRun(vm, TrxResults.Read(trx), null, trx);
        }
        catch (InvalidDataException e)
        {
            return new GuestTestRun(vm, null, e.Message, trx);
        }
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(30));
}
