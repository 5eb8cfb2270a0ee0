using IommuFd.Bindings.Backends;

namespace IommuFd.Bindings.Benchmarks.AgainstC;

/// <summary>
/// What a C# caller pays over C on the real kernel: IOMMU_IOAS_MAP, UNMAP and COPY of 4 KiB and
/// 2 MiB, each in a loop through C, the raw generated wrappers and the idiomatic API. Rounds
/// alternate the three paths (rotating which goes first), so load that drifts during the run hits
/// them alike; the best round of each is its own cost. Prints ns per call, C#/C ratios and managed
/// bytes allocated per call, against the bars: raw ≤ 1.05× C, idiomatic ≤ 1.10× C, 0 bytes.
/// </summary>
internal static class AgainstCBenchmark
{
    private static readonly ulong[] Lengths = [4096, 2UL << 20];
    private static readonly CallPath[] Paths = Enum.GetValues<CallPath>();

    public static int Run(int count, int rounds, TextWriter output)
    {
        using var backend = new KernelBackend();
        using var context = IommufdContext.Open(backend);
        using UserMemory memory = backend.Allocate((nuint)Lengths.Max());
        var runners = Lengths.Select(length => new LoopRunner(backend, context.CreateIoas(), memory.Address, length)).ToArray();
        foreach (LoopRunner runner in runners)
            runner.Prepare();

        var best = new Dictionary<(ulong, Operation, CallPath), (double Ns, double Bytes)>();
        Measure(runners, count: Math.Min(count, 1000), round: 0, best); // warm-up: JIT, kernel caches
        best.Clear();
        for (int round = 0; round < rounds; round++)
            Measure(runners, count, round, best);

        output.WriteLine($"IOAS ioctls on the kernel ({Environment.OSVersion.VersionString}), {count} calls per loop, best of {rounds} alternating rounds");
        output.WriteLine($"{"size",6} {"op",6} {"C ns",9} {"raw ns",9} {"idiom ns",9} {"raw/C",7} {"idiom/C",8} {"raw B",6} {"idiom B",8}");
        bool withinBars = true;
        foreach (ulong length in Lengths)
            foreach (Operation op in Enum.GetValues<Operation>())
            {
                (double c, _) = best[(length, op, CallPath.C)];
                (double raw, double rawBytes) = best[(length, op, CallPath.RawWrappers)];
                (double idiomatic, double idiomaticBytes) = best[(length, op, CallPath.Idiomatic)];
                output.WriteLine($"{SizeName(length),6} {op,6} {c,9:F0} {raw,9:F0} {idiomatic,9:F0} {raw / c,7:F3} {idiomatic / c,8:F3} {rawBytes,6:F1} {idiomaticBytes,8:F1}");
                withinBars &= raw / c <= 1.05 && idiomatic / c <= 1.10 && rawBytes == 0 && idiomaticBytes == 0;
            }
        output.WriteLine(withinBars ? "every row within the bars (raw <= 1.05x C, idiomatic <= 1.10x C, 0 B/call)"
                                    : "some row is outside the bars (raw <= 1.05x C, idiomatic <= 1.10x C, 0 B/call)");
        return 0;
    }

    private static void Measure(LoopRunner[] runners, int count, int round, Dictionary<(ulong, Operation, CallPath), (double Ns, double Bytes)> best)
    {
        for (int r = 0; r < runners.Length; r++)
            foreach (Operation op in Enum.GetValues<Operation>())
                for (int p = 0; p < Paths.Length; p++)
                {
                    CallPath path = Paths[(p + round) % Paths.Length];
                    (double ns, double bytes) = runners[r].Measure(path, op, count);
                    var key = (Lengths[r], op, path);
                    best[key] = best.TryGetValue(key, out var old) ? (Math.Min(old.Ns, ns), Math.Max(old.Bytes, bytes)) : (ns, bytes);
                }
    }

    private static string SizeName(ulong length) => length >= 1 << 20 ? $"{length >> 20}M" : $"{length >> 10}K";
}
