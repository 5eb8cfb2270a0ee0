using System.Diagnostics;
using IommuFd.Bindings.Backends;
using IommuFd.Interop;

namespace IommuFd.Engine.Benchmarks;

/// <summary>
/// Per-op cost of MAP (fixed and automatic IOVA), UNMAP and COPY on IOASes that already hold n
/// areas. No domain is attached, so neither backend touches the user VAs. All sizes are set up
/// first and then measured in interleaved rounds, keeping the best round of each: on a shared
/// machine the minimum is the op's own cost, and drifting load hits every size alike.
/// </summary>
internal static unsafe class AreaBenchmark
{
    private const ulong Page = 4096;
    private const int Rounds = 5;
    private const ulong PopulatedBase = Page, FixedBase = 1UL << 40, CopyBase = 1UL << 41;
    private const ulong UserVa = 0x7000_0000_1000;   // page aligned, not 2 MiB aligned: 4 KiB automatic alignment
    private const ulong UserVa8K = 0x7000_0000_2000; // 8 KiB aligned: a 2-page automatic map needs a 2-page hole

    private sealed record Setup(IIommuBackend Backend, int Fd, uint Ioas, Measurement M);

    /// <summary>Measures every backend at every size. Rounds alternate between the backends as well
    /// as the sizes, so a machine that slows down mid-run slows every column alike and the
    /// engine/kernel ratio stays a side-by-side comparison.</summary>
    public static Dictionary<string, List<Measurement>> Run(IReadOnlyList<IIommuBackend> backends, int[] sizes, int ops)
    {
        var setups = new List<Setup>();
        try
        {
            foreach (IIommuBackend b in backends)
                foreach (int n in sizes)
                    setups.Add(Populate(b, n));
            for (int round = 0; round < Rounds; round++)
                foreach (Setup s in setups)
                    MeasureRound(s.Backend, s, ops);
            return backends.ToDictionary(b => b.Name, b => setups.Where(s => s.Backend == b).Select(s => s.M).ToList());
        }
        finally
        {
            foreach (Setup s in setups)
                s.Backend.Close(s.Fd);
        }
    }

    private static Setup Populate(IIommuBackend b, int n)
    {
        int fd = b.Open("/dev/iommu");
        if (fd < 0) throw new InvalidOperationException($"open /dev/iommu: {fd}");
        var alloc = new iommu_ioas_alloc { size = (uint)sizeof(iommu_ioas_alloc) };
        Check(b.Ioctl(fd, Iommufd.IOMMU_IOAS_ALLOC, &alloc), "IOAS_ALLOC");
        long before = GC.GetTotalMemory(forceFullCollection: true);
        // One-page areas with one-page holes between them.
        for (int i = 0; i < n; i++)
            Check(Map(b, fd, alloc.out_ioas_id, PopulatedBase + (ulong)i * 2 * Page, fixedIova: true), "populate");
        long after = GC.GetTotalMemory(forceFullCollection: true);
        var m = new Measurement
        {
            Areas = n,
            BytesPerArea = b.Name == "engine" ? (double)(after - before) / n : double.NaN,
            MapFixed = double.MaxValue, Unmap = double.MaxValue, MapAuto = double.MaxValue, Copy = double.MaxValue,
        };
        return new Setup(b, fd, alloc.out_ioas_id, m);
    }

    private static void MeasureRound(IIommuBackend b, Setup s, int ops)
    {
        (int fd, uint ioas, Measurement m) = (s.Fd, s.Ioas, s.M);
        m.MapFixed = Math.Min(m.MapFixed, Time(ops, j => Check(Map(b, fd, ioas, FixedBase + (ulong)j * Page, fixedIova: true), "map")));
        m.Unmap = Math.Min(m.Unmap, Time(ops, j => Check(Unmap(b, fd, ioas, FixedBase + (ulong)j * Page, Page), "unmap")));

        // Automatic 1-page maps land in the one-page holes between the populated areas (first fit,
        // lowest first); at most n-1 of them so every size does the same kind of insert.
        var iovas = new ulong[ops];
        int autoOps = Math.Min(ops, m.Areas - 1);
        m.MapAuto = Math.Min(m.MapAuto, Time(autoOps, j => Check(Map(b, fd, ioas, 0, fixedIova: false, iovas, j), "auto map")));
        for (int j = 0; j < autoOps; j++) Check(Unmap(b, fd, ioas, iovas[j], Page), "unmap auto");

        // Automatic 2-page maps: first fit must pass all n one-page holes between the populated
        // areas. The kernel walks them one by one (O(n)), so the kernel run skips this column.
        if (b.Name == "engine")
        {
            double frag = Time(ops, j => Check(Map(b, fd, ioas, 0, fixedIova: false, iovas, j, UserVa8K, 2 * Page), "frag map"));
            m.MapAutoFrag = double.IsNaN(m.MapAutoFrag) ? frag : Math.Min(m.MapAutoFrag, frag);
            for (int j = 0; j < ops; j++) Check(Unmap(b, fd, ioas, iovas[j], 2 * Page), "unmap frag");
        }

        int n = m.Areas;
        m.Copy = Math.Min(m.Copy, Time(ops, j => Check(Copy(b, fd, ioas, PopulatedBase + (ulong)(j % n) * 2 * Page, CopyBase + (ulong)j * Page), "copy")));
        Check(Unmap(b, fd, ioas, CopyBase, (ulong)ops * Page), "unmap copies");
    }

    private static double Time(int ops, Action<int> op)
    {
        var sw = Stopwatch.StartNew();
        for (int j = 0; j < ops; j++) op(j);
        return sw.Elapsed.TotalNanoseconds / ops;
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0) throw new InvalidOperationException($"{what} failed: {rc}");
    }

    private static int Map(IIommuBackend b, int fd, uint ioas, ulong iova, bool fixedIova, ulong[]? chosen = null, int slot = 0,
        ulong userVa = UserVa, ulong length = Page)
    {
        var cmd = new iommu_ioas_map
        {
            size = (uint)sizeof(iommu_ioas_map),
            flags = (uint)(Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE | (fixedIova ? Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA : 0)),
            ioas_id = ioas,
            user_va = userVa,
            length = length,
            iova = iova,
        };
        int rc = b.Ioctl(fd, Iommufd.IOMMU_IOAS_MAP, &cmd);
        if (chosen != null) chosen[slot] = cmd.iova;
        return rc;
    }

    private static int Unmap(IIommuBackend b, int fd, uint ioas, ulong iova, ulong length)
    {
        var cmd = new iommu_ioas_unmap { size = (uint)sizeof(iommu_ioas_unmap), ioas_id = ioas, iova = iova, length = length };
        return b.Ioctl(fd, Iommufd.IOMMU_IOAS_UNMAP, &cmd);
    }

    private static int Copy(IIommuBackend b, int fd, uint ioas, ulong src, ulong dst)
    {
        var cmd = new iommu_ioas_copy
        {
            size = (uint)sizeof(iommu_ioas_copy),
            flags = (uint)(Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA),
            dst_ioas_id = ioas,
            src_ioas_id = ioas,
            length = Page,
            dst_iova = dst,
            src_iova = src,
        };
        return b.Ioctl(fd, Iommufd.IOMMU_IOAS_COPY, &cmd);
    }
}
