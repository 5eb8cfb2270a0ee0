using IommuFd.TestVm;

namespace IommuFd.Engine.Benchmarks;

/// <summary>
/// Runs this benchmark inside the project's test kernel (hardware-runner/kernel), so the engine
/// and the real iommufd are measured side by side in one guest: the same emulated CPU, the same
/// load. The guest sees the host's root read-only, so it runs the very binary that launched it.
/// </summary>
internal static class InGuest
{
    public static async Task<int> RunAsync(IommuModel model, IReadOnlyList<string> benchmarkArguments)
    {
        TestKernelLookup kernel = TestKernel.Locate();
        if (!kernel.Found)
        {
            Console.Error.WriteLine($"no test kernel: {kernel.Explanation}");
            return 3;
        }
        string self = typeof(InGuest).Assembly.Location;
        string script = $"dotnet {InitScript.Quote(self)} {string.Join(' ', benchmarkArguments.Select(InitScript.Quote))}\n";
        var options = new VmOptions
        {
            KernelImage = kernel.ImagePath!,
            OutDirectory = Path.Combine(Path.GetTempPath(), $"iommufd-engine-benchmark-{DateTime.UtcNow:yyyyMMdd-HHmmss}"),
            Iommu = model,
            EduDevices = 0,
            MemoryMiB = 6144,
            BootTimeout = TimeSpan.FromMinutes(3),
            RunTimeout = TimeSpan.FromMinutes(60),
        };
        Console.WriteLine($"booting {kernel.ImagePath} ({model.Name()}) to run: {script.Trim()}");
        VmResult vm = await VmLauncher.RunAsync(options, new GuestCommand(script) { WorkingDirectory = "/run" });
        Console.Write(vm.Console);
        Console.WriteLine($"guest: {vm.Describe()}");
        return vm.Outcome == VmOutcome.Completed ? vm.ExitCode ?? 1 : 1;
    }
}
