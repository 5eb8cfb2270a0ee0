using IommuFd.Bindings.Backends;
using IommuFd.Engine;
using IommuFd.Engine.Benchmarks;
using IommuFd.TestVm;

// Usage: IommuFd.Engine.Benchmarks [--backend engine|kernel|both] [--sizes 1000,100000,1000000] [--ops 20000]
//                                  [--vm intel|amd|virtio|none]
//        IommuFd.Engine.Benchmarks --differential core|device [--sequences 200] [--steps 30] [--vm ...]
// Prints ops/s per IOAS size, the per-op cost ratio against the smallest size (bar: <= 1.2x), the
// engine's managed bytes per area, and with --backend both the engine/kernel throughput ratio (bar: >= 1.5).
// --differential prints random-differential steps/s (kernel and engine) and the time share of each
// backend and of the harness. --vm boots the test kernel and runs the rest of the command line inside it.
string backend = "engine";
IommuModel? vm = null;
var guestArguments = new List<string>();
int[] sizes = [1_000, 100_000, 1_000_000];
int ops = 20_000;
string? differential = null;
int sequences = 200, steps = 30;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--backend" when i + 1 < args.Length: backend = args[++i]; guestArguments.AddRange(args[(i - 1)..(i + 1)]); break;
        case "--sizes" when i + 1 < args.Length: sizes = args[++i].Split(',').Select(int.Parse).ToArray(); guestArguments.AddRange(args[(i - 1)..(i + 1)]); break;
        case "--ops" when i + 1 < args.Length: ops = int.Parse(args[++i]); guestArguments.AddRange(args[(i - 1)..(i + 1)]); break;
        case "--differential" when i + 1 < args.Length && args[i + 1] is "core" or "device": differential = args[++i]; guestArguments.AddRange(args[(i - 1)..(i + 1)]); break;
        case "--sequences" when i + 1 < args.Length && int.TryParse(args[i + 1], out sequences): i++; guestArguments.AddRange(args[(i - 1)..(i + 1)]); break;
        case "--steps" when i + 1 < args.Length && int.TryParse(args[i + 1], out steps): i++; guestArguments.AddRange(args[(i - 1)..(i + 1)]); break;
        case "--vm" when i + 1 < args.Length: vm = IommuModels.Parse(args[++i]); break;
        default:
            Console.Error.WriteLine($"unknown or incomplete argument {args[i]}");
            return 2;
    }
}
if (backend is not ("engine" or "kernel" or "both"))
{
    Console.Error.WriteLine($"--backend must be engine, kernel or both, not {backend}");
    return 2;
}

if (vm is { } model)
    return await ProgramInGuest.RunAsync(typeof(AreaBenchmark).Assembly.Location, guestArguments, model, memoryMiB: 6144, Console.Out);

if (differential is not null)
    return DifferentialThroughput.Run(differential, sequences, steps, Console.Out);

var backends = new List<IIommuBackend>();
try
{
    foreach (string name in backend == "both" ? ["engine", "kernel"] : new[] { backend })
        backends.Add(name == "engine" ? new EngineBackend() : new KernelBackend());
    Console.WriteLine($"backends {string.Join(", ", backends.Select(b => b.Name))}: {ops} ops per row");
    _ = AreaBenchmark.Run(backends, [1_000], ops); // warm-up, discarded
    Dictionary<string, List<Measurement>> results = AreaBenchmark.Run(backends, sizes, ops);
    foreach ((string name, List<Measurement> rows) in results)
        Report.PrintTable(name, rows);
    if (results.TryGetValue("engine", out var e) && results.TryGetValue("kernel", out var k))
        Report.PrintRatio(e, k);
    return 0;
}
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 3;
}
finally
{
    foreach (IIommuBackend b in backends)
        b.Dispose();
}
