namespace IommuFd.TestVm;

/// <summary>
/// Runs a .NET program inside the project's test kernel, so what it measures on the engine and on
/// the real iommufd shares one guest: the same emulated CPU, the same load. The guest sees the host's
/// root read-only, so it runs the very assembly that asked for it.
/// </summary>
public static class ProgramInGuest
{
    /// <summary>Boots the cached test kernel under <paramref name="model"/>, runs
    /// <c>dotnet <paramref name="assemblyPath"/> <paramref name="arguments"/></c> there, copies the
    /// guest's console to <paramref name="output"/> and returns the program's exit code (1 when the
    /// guest did not complete, 3 when there is no test kernel).</summary>
    public static async Task<int> RunAsync(string assemblyPath, IReadOnlyList<string> arguments, IommuModel model,
                                           int memoryMiB, TextWriter output)
    {
        TestKernelLookup kernel = TestKernel.Locate();
        if (!kernel.Found)
        {
            output.WriteLine($"no test kernel: {kernel.Explanation}");
            return 3;
        }
        string script = $"dotnet {InitScript.Quote(assemblyPath)} {string.Join(' ', arguments.Select(InitScript.Quote))}\n";
        var options = new VmOptions
        {
            KernelImage = kernel.ImagePath!,
            OutDirectory = Path.Combine(Path.GetTempPath(), $"iommufd-in-guest-{Path.GetFileNameWithoutExtension(assemblyPath)}-{DateTime.UtcNow:yyyyMMdd-HHmmss}"),
            Iommu = model,
            EduDevices = 0,
            MemoryMiB = memoryMiB,
            BootTimeout = TimeSpan.FromMinutes(3),
            RunTimeout = TimeSpan.FromMinutes(60),
        };
        output.WriteLine($"booting {kernel.ImagePath} ({model.Name()}) to run: {script.Trim()}");
        VmResult vm = await VmLauncher.RunAsync(options, new GuestCommand(script) { WorkingDirectory = "/run" });
        output.Write(vm.Console);
        output.WriteLine($"guest: {vm.Describe()}");
        return vm.Outcome == VmOutcome.Completed ? vm.ExitCode ?? 1 : 1;
    }
}
