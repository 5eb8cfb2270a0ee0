using IommuFd.Bindings.Backends;
using IommuFd.Engine;
using IommuFd.Engine.Benchmarks;

// Usage: IommuFd.Engine.Benchmarks [--backend engine|kernel|both] [--sizes 1000,100000,1000000] [--ops 20000]
string backend = "engine";
int[] sizes = [1_000, 100_000, 1_000_000];
int ops = 20_000;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--backend": backend = args[++i]; break;
        case "--sizes": sizes = args[++i].Split(',').Select(int.Parse).ToArray(); break;
        case "--ops": ops = int.Parse(args[++i]); break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}");
            return 2;
    }
}

var results = new Dictionary<string, List<Measurement>>();
foreach (string name in backend == "both" ? new[] { "engine", "kernel" } : [backend])
{
    IIommuBackend? b = name == "engine" ? new EngineBackend() : Backends.TryKernel(out string why) ?? null;
    if (b == null)
    {
        Console.Error.WriteLine($"kernel backend unavailable: {Backends.LastError}");
        return 3;
    }
    using (b)
    {
        Console.WriteLine($"backend {b.Name}: {ops} ops per row");
        _ = AreaBenchmark.Run(b, 1_000, ops); // warm-up: JIT and caches, discarded
        var rows = new List<Measurement>();
        foreach (int n in sizes)
        {
            Measurement m = AreaBenchmark.Run(b, n, ops);
            rows.Add(m);
        }
        Report.PrintTable(b.Name, rows);
        results[name] = rows;
    }
}
if (results.TryGetValue("engine", out var e) && results.TryGetValue("kernel", out var k))
    Report.PrintRatio(e, k);
return 0;
