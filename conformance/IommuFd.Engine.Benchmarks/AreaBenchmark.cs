using System.Diagnostics;
using IommuFd.Bindings.Backends;
using IommuFd.Interop;

namespace IommuFd.Engine.Benchmarks;

/// <summary>Per-op cost of MAP (fixed and automatic IOVA), UNMAP and COPY on an IOAS that already
/// holds <c>n</c> areas. No domain is attached, so neither backend touches the user VAs.</summary>
internal static unsafe class AreaBenchmark
{
    private const ulong Page = 4096;
    private const ulong PopulatedBase = 1UL << 32, FixedBase = 1UL << 40, CopyBase = 1UL << 41;
    private const ulong UserVa = 0x7000_0000_1000; // page aligned, not 2 MiB aligned: 4 KiB automatic alignment

    public static Measurement Run(IIommuBackend b, int n, int ops)
    {
        int fd = b.Open("/dev/iommu");
        if (fd < 0) throw new InvalidOperationException($"open /dev/iommu: {fd}");
        try
        {
            var alloc = new iommu_ioas_alloc { size = (uint)sizeof(iommu_ioas_alloc) };
            Check(b.Ioctl(fd, Iommufd.IOMMU_IOAS_ALLOC, &alloc), "IOAS_ALLOC");
            uint ioas = alloc.out_ioas_id;

            long before = GC.GetTotalMemory(forceFullCollection: true);
            for (int i = 0; i < n; i++)
                Check(Map(b, fd, ioas, PopulatedBase + (ulong)i * 2 * Page, fixedIova: true), "populate");
            long after = GC.GetTotalMemory(forceFullCollection: true);

            var m = new Measurement { Areas = n, BytesPerArea = b.Name == "engine" ? (double)(after - before) / n : double.NaN };
            m.MapFixed = Time(ops, j => Check(Map(b, fd, ioas, FixedBase + (ulong)j * Page, fixedIova: true), "map"));
            m.Unmap = Time(ops, j => Check(Unmap(b, fd, ioas, FixedBase + (ulong)j * Page, Page), "unmap"));
            var autoIovas = new ulong[ops];
            m.MapAuto = Time(ops, j => Check(Map(b, fd, ioas, 0, fixedIova: false, autoIovas, j), "auto map"));
            for (int j = 0; j < ops; j++) Check(Unmap(b, fd, ioas, autoIovas[j], Page), "unmap auto");
            m.Copy = Time(ops, j => Check(Copy(b, fd, ioas, PopulatedBase + (ulong)(j % n) * 2 * Page, CopyBase + (ulong)j * Page), "copy"));
            return m;
        }
        finally
        {
            b.Close(fd);
        }
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

    private static int Map(IIommuBackend b, int fd, uint ioas, ulong iova, bool fixedIova, ulong[]? chosen = null, int slot = 0)
    {
        var cmd = new iommu_ioas_map
        {
            size = (uint)sizeof(iommu_ioas_map),
            flags = (uint)(Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE | (fixedIova ? Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA : 0)),
            ioas_id = ioas,
            user_va = UserVa,
            length = Page,
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
