using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using IommuFd.Bindings.Benchmarks.AgainstC;
using IommuFd.TestVm;

// dotnet run -c Release --project bindings/IommuFd.Bindings.Benchmarks [-- BenchmarkDotNet arguments]
//   the idiomatic layer against the raw wrappers, on the engine (BenchmarkDotNet).
// dotnet run -c Release --project bindings/IommuFd.Bindings.Benchmarks -- against-c [--count N] [--rounds R] [--vm intel|amd|virtio]
//   C# against C on the real kernel (/dev/iommu here, or --vm boots the test kernel and runs there).
if (args.Length > 0 && args[0] == "against-c")
    return await RunAgainstC(args[1..]);

// In-process: the generated child project of the default toolchain would have to rebuild the uAPI
// generator wiring; running in this process measures the same code.
IConfig config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(IommuFd.Bindings.Benchmarks.MapUnmapBenchmark).Assembly)
    .Run(args.Length == 0 ? ["--filter", "*"] : args, config);
return 0;

static async Task<int> RunAgainstC(string[] args)
{
    int count = 20_000, rounds = 7;
    IommuModel? vm = null;
    for (int i = 0; i < args.Length; i++)
    {
        string? value = i + 1 < args.Length ? args[i + 1] : null;
        switch (args[i])
        {
            case "--count" when int.TryParse(value, out count) && count > 0: i++; break;
            case "--rounds" when int.TryParse(value, out rounds) && rounds > 0: i++; break;
            case "--vm" when value is "intel" or "amd" or "virtio": vm = IommuModels.Parse(value); i++; break;
            default:
                Console.Error.WriteLine($"against-c: bad argument '{args[i]}' (use --count N, --rounds N, --vm intel|amd|virtio)");
                return 64;
        }
    }
    if (vm is { } model)
        return await ProgramInGuest.RunAsync(typeof(AgainstCBenchmark).Assembly.Location,
                                             ["against-c", "--count", $"{count}", "--rounds", $"{rounds}"], model, memoryMiB: 2048, Console.Out);
    if (!File.Exists("/dev/iommu"))
    {
        Console.Error.WriteLine("against-c: no /dev/iommu on this host; add --vm intel to run in the test kernel");
        return 3;
    }
    return AgainstCBenchmark.Run(count, rounds, Console.Out);
}
