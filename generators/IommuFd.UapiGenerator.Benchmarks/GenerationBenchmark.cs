using System.Globalization;
using System.Runtime.InteropServices;
using IommuFd.UapiGenerator.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace IommuFd.UapiGenerator.Benchmarks;

/// <summary>The scenarios: cold (first run in the process, JIT included), warm full generation
/// (a fresh driver, so nothing is cached), a no-op edit (an unrelated C# change; every step must
/// be cached), and an edit of one header (only that header is regenerated).</summary>
public sealed class GenerationBenchmark(int iterations, TextWriter output)
{
    private const double FullGenerationBarMs = 100;
    private const double NoOpEditBarMs = 5;
    private const string Profile = "x86_64";

    private readonly HeaderInput[] _inputs = [UapiHeaders.Iommufd.Input(), UapiHeaders.Vfio.Input()];

    /// <summary>Runs every scenario, prints the tables; returns 1 when caching is broken.</summary>
    public int Run()
    {
        output.WriteLine($"IommuFd.UapiGenerator benchmark: {string.Join(" + ", _inputs.Select(i => $"{Path.GetFileName(i.Path)} ({i.Text!.Length / 1024} KiB)"))}, " +
                         $"profile {Profile}, {iterations} iterations, {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores");
        // Other processes compete for the same cores; the load average says how much.
        if (File.Exists("/proc/loadavg"))
            output.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation("BenchmarkConsumer", "public class Consumer { }");
        compilation.GetDiagnostics(); // bind the consumer once, outside every timing

        var results = new List<Measurement>
        {
            new("cold: first run in process (JIT included)", [Measurement.Time(() => FullRun(compilation))], null),
            new("warm: full generation, fresh driver", Repeat(() => FullRun(compilation)), FullGenerationBarMs),
        };

        (Measurement noOp, bool allCached) = NoOpEdit(compilation);
        results.Add(noOp);
        results.Add(HeaderEdit(compilation));

        PrintTable(results);
        if (!allCached)
        {
            output.WriteLine("FAILED: a step re-ran on an unrelated C# edit (see the run reasons above).");
            return 1;
        }
        return 0;
    }

    private GeneratorDriver FullRun(Compilation compilation)
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver(new UapiGenerator(), _inputs, Profile);
        driver = driver.RunGenerators(compilation);
        if (driver.GetRunResult().GeneratedTrees.Length != _inputs.Length)
            throw new InvalidOperationException("the generator produced no source for a header");
        return driver;
    }

    private (Measurement, bool) NoOpEdit(CSharpCompilation compilation)
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver(new UapiGenerator(), _inputs, Profile).RunGenerators(compilation);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        var times = new List<Sample>();
        bool allCached = true;
        for (int i = 0; i < Warmup + iterations; i++)
        {
            // An unrelated change to the consumer's own code.
            var edited = compilation.ReplaceSyntaxTree(tree,
                CSharpSyntaxTree.ParseText($"public class Consumer {{ public int Edit = {i}; }}", GeneratorHarness.ParseOptions));
            Sample ms = Measurement.Time(() => driver = driver.RunGenerators(edited));
            if (i >= Warmup) times.Add(ms);
            if (i == Warmup + iterations - 1)
                allCached = PrintReasons("no-op edit", driver.GetRunResult());
        }
        return (new Measurement("no-op edit: unrelated C# change, all cached", times, NoOpEditBarMs), allCached);
    }

    private Measurement HeaderEdit(CSharpCompilation compilation)
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver(new UapiGenerator(), _inputs, Profile, out var texts)
            .RunGenerators(compilation);
        AdditionalText current = texts.Single(t => t.Path == _inputs[1].Path);
        var times = new List<Sample>();
        for (int i = 0; i < Warmup + iterations; i++)
        {
            // A real edit of vfio.h (a new constant); iommufd.h stays cached.
            var edited = new InMemoryAdditionalText(_inputs[1].Path,
                _inputs[1].Text + $"\n#define BENCHMARK_EDIT_{i} {i}\n");
            driver = driver.ReplaceAdditionalText(current, edited);
            current = edited;
            Sample ms = Measurement.Time(() => driver = driver.RunGenerators(compilation));
            if (i >= Warmup) times.Add(ms);
        }
        return new Measurement("edit of vfio.h: one header regenerated", times, null);
    }

    private const int Warmup = 30; // enough calls for tiered JIT to reach optimised code

    private List<Sample> Repeat(Action action)
    {
        for (int i = 0; i < Warmup; i++) action();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return [.. Enumerable.Range(0, iterations).Select(_ => Measurement.Time(action))];
    }

    private bool PrintReasons(string scenario, GeneratorDriverRunResult result)
    {
        output.WriteLine();
        output.WriteLine($"Run reasons of every tracked step after the {scenario}:");
        bool allCached = true;
        GeneratorRunResult run = result.Results.Single();
        foreach (var (name, steps) in run.TrackedSteps.Concat(run.TrackedOutputSteps).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var reasons = steps.SelectMany(s => s.Outputs).GroupBy(o => o.Reason)
                .Select(g => $"{g.Key} x{g.Count()}").ToArray();
            bool cached = steps.SelectMany(s => s.Outputs)
                .All(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
            allCached &= cached;
            output.WriteLine($"  {name,-28} {string.Join(", ", reasons),-30} {(cached ? "ok" : "RE-RAN")}");
        }
        return allCached;
    }

    private void PrintTable(List<Measurement> results)
    {
        output.WriteLine();
        output.WriteLine("Wall-clock times; 'cpu' is the measuring thread's CPU time (the generator runs on it), which");
        output.WriteLine("excludes waiting for a core when other processes load the machine; 'proc cpu' is the whole");
        output.WriteLine("process's CPU time (GC and background JIT included), an upper bound of the generator's cost.");
        output.WriteLine($"| {"scenario",-46} | {"runs",4} | {"median ms",9} | {"p95 ms",8} | {"min ms",8} | {"cpu ms",8} | {"proc cpu",8} | {"bar ms",6} | {"median/bar",10} | {"cpu/bar",10} |");
        output.WriteLine($"|{new string('-', 48)}|{new string('-', 6)}|{new string('-', 11)}|{new string('-', 10)}|{new string('-', 10)}|{new string('-', 10)}|{new string('-', 10)}|{new string('-', 8)}|{new string('-', 12)}|{new string('-', 12)}|");
        foreach (Measurement m in results)
        {
            string bar = m.BarMilliseconds?.ToString("0", CultureInfo.InvariantCulture) ?? "-";
            string ratio = m.Ratio is { } r ? $"{r:0.000} {(r < 1 ? "ok" : "OVER")}" : "-";
            string cpuRatio = m.BarMilliseconds is { } b ? $"{m.MedianCpu / b:0.000} {(m.MedianCpu < b ? "ok" : "OVER")}" : "-";
            output.WriteLine($"| {m.Scenario,-46} | {m.Milliseconds.Count,4} | {m.Median,9:0.000} | {m.P95,8:0.000} | {m.Min,8:0.000} | {m.MedianCpu,8:0.000} | {m.MedianProcessCpu,8:0.000} | {bar,6} | {ratio,10} | {cpuRatio,10} |");
        }
    }
}
