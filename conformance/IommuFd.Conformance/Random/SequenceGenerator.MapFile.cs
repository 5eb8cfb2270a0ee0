using System.Text.Json.Nodes;
using static IommuFd.Conformance.Random.SequenceState;

namespace IommuFd.Conformance.Random;

// 7.3's file mappings: IOMMU_IOAS_MAP_FILE of the sequence's memfd (its areas then go through the same
// unmaps, copies, checks and accesses as user memory) and IOMMU_IOAS_CHANGE_PROCESS.
public sealed partial class SequenceGenerator
{
    /// <summary>IOMMU_IOAS_MAP_FILE at an automatic or fixed IOVA: mostly of the memfd, from an offset inside
    /// it, sometimes past its end (EINVAL where pinned), of the iommufd itself (not memory), of no fd (EBADF),
    /// or from an offset that wraps.</summary>
    private static void MapFile(SequenceState s)
    {
        int memfd = s.Memfd();
        (int fd, JsonNode ioas, _) = s.IdOf(12, Ioas);
        ulong length = s.Length();
        ulong room = length < MemfdLength ? MemfdLength - length : 0;
        ulong start = s.Random.Next(10) switch
        {
            0 => MemfdLength - Page * (ulong)s.Random.Next(0, 3), // runs past the end
            1 => ulong.MaxValue - Page,                         // start + length wraps
            2 => IoPage * (ulong)s.Random.NextInt64(0, (long)(room / IoPage) + 1),
            _ => Page * (ulong)s.Random.NextInt64(0, (long)(room / Page) + 1),
        };
        JsonNode file = s.Random.Next(12) switch
        {
            0 => JsonValue.Create("%0"),  // the iommufd: a file, but not memory
            1 => JsonValue.Create(-1),
            _ => JsonValue.Create($"%{memfd}"),
        };
        uint flags = s.MapFlags();
        bool isFixed = s.Random.Next(2) == 0;
        var arg = new JsonObject { ["flags"] = flags | (isFixed ? 1u : 0u), ["ioas_id"] = ioas, ["fd"] = file, ["start"] = start, ["length"] = length };
        if (isFixed)
            arg["iova"] = s.FixedIova(length);
        int step = s.Add("IOMMU_IOAS_MAP_FILE", arg, fd);
        if (length > 0 && flags is 2 or 4 or 6 && start < MemfdLength && Same(file, JsonValue.Create($"%{memfd}")))
            s.Areas.Add(new TrackedArea(fd, ioas.DeepClone(), isFixed ? arg["iova"]!.DeepClone() : Ref(step, "iova"), length, MemfdBuffer, start));
    }

    /// <summary>IOMMU_IOAS_CHANGE_PROCESS on an fd (EINVAL while any area is of user memory), one time in eight
    /// with <c>__reserved</c> set.</summary>
    private static void ChangeProcess(SequenceState s) =>
        s.Add("IOMMU_IOAS_CHANGE_PROCESS", new JsonObject { ["__reserved"] = s.OneIn(8) ? 1u : 0u }, s.Fd());
}
