using System.Text.Json.Nodes;
using IommuFd.Conformance.Traces;
using static IommuFd.Conformance.Random.SequenceState;

namespace IommuFd.Conformance.Random;

// Dirty tracking over huge pages: the mock domain's 1 MiB IO pages (MOCK_FLAGS_DEVICE_HUGE_IOVA over
// hugetlb memory) and the dirty walk's 1 MiB steps; only on kernels with HUGE_IOVA (6.12).
public sealed partial class SequenceGenerator
{
    private const ulong Mib = 1UL << 20;
    private const uint HwptAllocDirty = 2;

    /// <summary>On a new fd (closed at the end, so nothing leaks into the other families): an IOAS (large
    /// pages off one time in six), a HUGE_IOVA mock device and a dirty-tracking HWPT for it, the sequence's
    /// hugetlb buffer (allocated the first time) mapped at an IOVA congruent to its VA modulo 1 MiB mostly
    /// (1 MiB IO pages where a whole aligned MiB fits) or not, tracking on, then rounds of random IO pages
    /// marked dirty and GET_DIRTY_BITMAP from random 2 KiB-aligned starts (shifted 1 MiB reports, past
    /// the range and the bitmap too) with bit sizes of 2 KiB to 1 MiB, the bitmap and the bytes after it
    /// read back.</summary>
    private static void HugeDirty(SequenceState s)
    {
        if (!s.HugeAllocated)
        {
            s.Steps.Add(new AllocStep(Huge, HugeLength, Hugetlb: true));
            s.HugeAllocated = true;
        }
        int fd = s.Open();
        JsonNode ioas = Ref(s.Add("IOMMU_IOAS_ALLOC", new JsonObject(), fd), "out_ioas_id");
        if (s.OneIn(6))
            s.Add("IOMMU_OPTION", new JsonObject { ["option_id"] = 1u, ["op"] = 0u, ["object_id"] = ioas.DeepClone(), ["val64"] = 0UL }, fd);
        int device = s.TestCmd(fd, OpMockDomainFlags, ioas.DeepClone(), "mock_domain_flags", new JsonObject { ["dev_flags"] = DeviceHugeIova });
        JsonNode hwpt = Ref(s.Add("IOMMU_HWPT_ALLOC", new JsonObject
        {
            ["flags"] = HwptAllocDirty,
            ["dev_id"] = Ref(device, "mock_domain.out_idev_id"),
            ["pt_id"] = ioas.DeepClone(),
        }, fd), "out_hwpt_id");

        ulong offset = s.Random.Next(4) switch { 0 => 0, 1 => Mib / 2, 2 => Mib, _ => IoPage * 2 * (ulong)s.Random.Next(1, 256) };
        ulong length = s.OneIn(3) ? IoPage * (ulong)s.Random.Next(1, (int)((HugeLength - offset) / IoPage) + 1) : HugeLength - offset;
        ulong iova = ApertureStart + 4 * Mib * (ulong)s.Random.Next(0, 8)
            + (s.OneIn(4) ? IoPage * (ulong)s.Random.Next(0, 512) : offset % Mib);
        s.Add("IOMMU_IOAS_MAP", new JsonObject
        {
            ["flags"] = 7u,
            ["ioas_id"] = ioas.DeepClone(),
            ["user_va"] = $"@{Huge}+{offset}",
            ["length"] = length,
            ["iova"] = iova,
        }, fd);
        s.Add("IOMMU_HWPT_SET_DIRTY_TRACKING", new JsonObject { ["flags"] = DirtyEnable, ["hwpt_id"] = hwpt.DeepClone() }, fd);

        ulong entries = length / IoPage;
        for (int round = s.Random.Next(1, 4); round > 0; round--)
        {
            var marks = new byte[(entries + 7) / 8];
            for (int k = s.Random.Next(1, 6); k > 0; k--)
            {
                ulong e = (ulong)s.Random.NextInt64((long)entries);
                marks[e / 8] |= (byte)(1 << (int)(e % 8));
            }
            s.Steps.Add(new WriteStep(Data, Bitmap, marks));
            s.TestCmd(fd, OpDirty, hwpt.DeepClone(), "dirty", new JsonObject
            {
                ["iova"] = iova,
                ["length"] = entries * IoPage,
                ["page_size"] = IoPage,
                ["uptr"] = $"@{Data}+{Bitmap}",
            });

            ulong pageSize = s.Random.Next(4) switch { 0 => Page, 1 => 64 * 1024, 2 => Mib, _ => IoPage };
            ulong start = iova + IoPage * (ulong)s.Random.NextInt64((long)entries);
            if (s.OneIn(3))
                start = iova;
            if (pageSize > IoPage)
                start = Math.Max(iova & ~(pageSize - 1), start & ~(pageSize - 1));   // aligned as GET_DIRTY_BITMAP demands
            ulong span = Math.Max(pageSize, (iova + entries * IoPage - start) / pageSize * pageSize);
            if (s.OneIn(3))
                span = Math.Max(pageSize, span / 2 / pageSize * pageSize);
            int size = (int)(((span - 1) / pageSize) / 8 + 1) + 72;   // room for bits reported past the end
            ulong at = Bitmap + s.Random.Next(3) switch { 0 => 8UL, 1 => (ulong)s.Random.Next(1, 0x1000), _ => 0 };
            s.Steps.Add(new WriteStep(Data, at, new byte[size]));
            s.Add("IOMMU_HWPT_GET_DIRTY_BITMAP", new JsonObject
            {
                ["hwpt_id"] = hwpt.DeepClone(),
                ["flags"] = s.OneIn(3) ? GetDirtyNoClear : 0u,
                ["iova"] = start,
                ["length"] = span,
                ["page_size"] = pageSize,
                ["data"] = $"@{Data}+{at}",
            }, fd);
            s.Steps.Add(new ReadStep(Data, at, size));
        }
        s.Close(fd);
    }
}
