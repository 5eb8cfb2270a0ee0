namespace IommuFd.Engine.Memory;

/// <summary>
/// The engine's stand-in for hugetlb memory: <see cref="EngineBackend.AllocateHugetlb"/> maps ordinary
/// shared memory, 2 MiB aligned, and records it here, so the engine models it as the kernel would model
/// MAP_HUGETLB memory (2 MiB pages, each physically contiguous and 2 MiB aligned; compound pages)
/// without the host reserving huge pages. The record goes when the memory is unmapped. Process-wide,
/// like the memory itself.
/// </summary>
internal static class EmulatedHugetlb
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<ulong, ulong> Ranges = [];  // start → end (exclusive)

    public static void Add(ulong start, ulong length)
    {
        lock (Gate)
            Ranges[start] = start + length;
    }

    public static void Remove(ulong start)
    {
        lock (Gate)
            Ranges.Remove(start);
    }

    /// <summary>The recorded ranges [start, end) of this process.</summary>
    public static List<(ulong Start, ulong End)> Snapshot()
    {
        lock (Gate)
            return Ranges.Select(r => (r.Key, r.Value)).ToList();
    }

    public static bool Contains(ulong va)
    {
        lock (Gate)
        {
            foreach (KeyValuePair<ulong, ulong> r in Ranges)
                if (r.Key <= va && va < r.Value)
                    return true;
        }
        return false;
    }
}
