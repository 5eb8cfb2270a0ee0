namespace IommuFd.Engine.Benchmarks;

/// <summary>Nanoseconds per op for one IOAS size.</summary>
internal sealed class Measurement
{
    public int Areas;
    public double MapFixed, MapAuto, MapAutoFrag = double.NaN, Unmap, Copy, BytesPerArea;
}

internal static class Report
{
    public static void PrintTable(string backend, List<Measurement> rows)
    {
        Console.WriteLine($"{"areas",10} {"map/s",12} {"automap/s",12} {"frag-map/s",12} {"unmap/s",12} {"copy/s",12} {"B/area",8}");
        foreach (Measurement m in rows)
            Console.WriteLine($"{m.Areas,10:N0} {PerSec(m.MapFixed),12:N0} {PerSec(m.MapAuto),12:N0} {Optional(PerSec(m.MapAutoFrag), "N0"),12} {PerSec(m.Unmap),12:N0} {PerSec(m.Copy),12:N0} {Optional(m.BytesPerArea, "N0"),8}");
        Measurement first = rows[0];
        foreach (Measurement m in rows.Skip(1))
            Console.WriteLine($"{backend}: per-op cost at {m.Areas:N0} vs {first.Areas:N0} areas: map {m.MapFixed / first.MapFixed:F2}x, automap {m.MapAuto / first.MapAuto:F2}x, frag-map {Optional(m.MapAutoFrag / first.MapAutoFrag, "F2")}x, unmap {m.Unmap / first.Unmap:F2}x, copy {m.Copy / first.Copy:F2}x (bar: <= 1.2x)");
    }

    public static void PrintRatio(List<Measurement> engine, List<Measurement> kernel)
    {
        foreach (Measurement e in engine)
        {
            Measurement? k = kernel.FirstOrDefault(x => x.Areas == e.Areas);
            if (k == null) continue;
            Console.WriteLine($"engine/kernel throughput at {e.Areas:N0} areas: map {k.MapFixed / e.MapFixed:F2}, automap {k.MapAuto / e.MapAuto:F2}, unmap {k.Unmap / e.Unmap:F2}, copy {k.Copy / e.Copy:F2} (bar: >= 1.5)");
        }
    }

    private static double PerSec(double ns) => 1e9 / ns;

    private static string Optional(double value, string format) => double.IsNaN(value) ? "n/a" : value.ToString(format);
}
