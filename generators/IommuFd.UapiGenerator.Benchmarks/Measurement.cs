using System.Diagnostics;

namespace IommuFd.UapiGenerator.Benchmarks;

/// <summary>Timings of one scenario in milliseconds, and the bar it is held to (if any).</summary>
public sealed record Measurement(string Scenario, IReadOnlyList<Sample> Samples, double? BarMilliseconds)
{
    /// <summary>Wall-clock times.</summary>
    public IReadOnlyList<double> Milliseconds => [.. Samples.Select(s => s.WallMs)];

    /// <summary>Median CPU time of the measuring thread.</summary>
    public double MedianCpu => MedianOf(Samples.Select(s => s.CpuMs));

    /// <summary>Median CPU time of the whole process (all threads: also GC and background JIT),
    /// an upper bound of the generator's own cost.</summary>
    public double MedianProcessCpu => MedianOf(Samples.Select(s => s.ProcessCpuMs));

    /// <summary>Median time.</summary>
    public double Median => Percentile(0.5);

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[(sorted.Length - 1) / 2];
    }

    /// <summary>95th percentile.</summary>
    public double P95 => Percentile(0.95);

    /// <summary>Fastest run.</summary>
    public double Min => Milliseconds.Min();

    /// <summary>Median divided by the bar: below 1 meets it.</summary>
    public double? Ratio => BarMilliseconds is { } bar ? Median / bar : null;

    private double Percentile(double p)
    {
        var sorted = Milliseconds.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    /// <summary>Times <paramref name="action"/> once: wall clock and this thread's CPU.</summary>
    public static Sample Time(Action action)
    {
        using var process = Process.GetCurrentProcess();
        TimeSpan processCpu = process.TotalProcessorTime;
        double cpu = ThreadCpuClock.NowMilliseconds();
        long start = Stopwatch.GetTimestamp();
        action();
        double wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        double threadCpu = ThreadCpuClock.NowMilliseconds() - cpu;
        process.Refresh();
        return new Sample(wall, threadCpu, (process.TotalProcessorTime - processCpu).TotalMilliseconds);
    }
}

/// <summary>One timed run: wall-clock, thread CPU and process CPU milliseconds.</summary>
public readonly record struct Sample(double WallMs, double CpuMs, double ProcessCpuMs);
