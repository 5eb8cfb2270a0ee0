using System.Diagnostics;

namespace IommuFd.UapiGenerator.Benchmarks;

/// <summary>Timings of one scenario in milliseconds, and the bar it is held to (if any).</summary>
public sealed record Measurement(string Scenario, IReadOnlyList<double> Milliseconds, double? BarMilliseconds)
{
    /// <summary>Median time.</summary>
    public double Median => Percentile(0.5);

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

    /// <summary>Times <paramref name="action"/> once.</summary>
    public static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
