using System.Text.Json.Nodes;
using static IommuFd.Conformance.Random.SequenceState;

namespace IommuFd.Conformance.Random;

// Families of the IOAS: its allocation, maps, unmaps and copies (with or without domains attached),
// reserved and allowed ranges, options.
public sealed partial class SequenceGenerator
{
    private const uint OpAddReserved = 1;

    /// <summary>IOMMU_IOAS_ALLOC, one time in ten with an unknown flag.</summary>
    private static void IoasAlloc(SequenceState s) => IoasAlloc(s, valid: !s.OneIn(10), s.Fd());

    private static void IoasAlloc(SequenceState s, bool valid, int fd)
    {
        int step = s.Add("IOMMU_IOAS_ALLOC", new JsonObject { ["flags"] = valid ? 0u : 1u << s.Random.Next(32) }, fd);
        if (valid)
            s.Track(Ioas, fd, Ref(step, "out_ioas_id"));
    }

    /// <summary>IOMMU_IOAS_MAP at an automatic or fixed IOVA (inside the mock aperture mostly), with lengths
    /// and user addresses that fit a mock domain's 2 KiB IO pages or not.</summary>
    private static void Map(SequenceState s)
    {
        (int fd, JsonNode ioas, _) = s.IdOf(12, Ioas);
        ulong length = s.Length();
        (string buffer, ulong offset) = s.UserAddress(length);
        uint flags = s.MapFlags();
        bool isFixed = s.Random.Next(2) == 0;
        var arg = new JsonObject
        {
            ["flags"] = flags | (isFixed ? 1u : 0u),
            ["ioas_id"] = ioas,
            ["user_va"] = $"@{buffer}+{offset}",
            ["length"] = length,
        };
        if (isFixed)
            arg["iova"] = s.FixedIova(length);
        int step = s.Add("IOMMU_IOAS_MAP", arg, fd);
        if (length > 0 && flags is 2 or 4 or 6)
            s.Areas.Add(new TrackedArea(fd, ioas.DeepClone(), isFixed ? arg["iova"]!.DeepClone() : Ref(step, "iova"), length, buffer, offset));
    }

    /// <summary>IOMMU_IOAS_UNMAP of an area (exactly, or cutting it), of everything, or of an arbitrary range.</summary>
    private static void Unmap(SequenceState s)
    {
        int kind = s.Random.Next(10);
        if (kind < 6 && s.Areas.Count > 0)
        {
            TrackedArea area = s.Pick(s.Areas);
            bool exact = !s.OneIn(4);
            s.Add("IOMMU_IOAS_UNMAP", new JsonObject
            {
                ["ioas_id"] = area.Ioas.DeepClone(),
                ["iova"] = area.Iova.DeepClone(),
                ["length"] = exact ? area.Length : area.Length / 2 + 1,
            }, area.Fd);
            if (exact)
                s.Areas.Remove(area);
            return;
        }
        (int fd, JsonNode ioas, _) = s.IdOf(12, Ioas);
        if (kind < 8)
        {
            s.Add("IOMMU_IOAS_UNMAP", new JsonObject { ["ioas_id"] = ioas, ["iova"] = 0, ["length"] = ulong.MaxValue }, fd);
            s.Areas.RemoveAll(a => a.Fd == fd && Same(a.Ioas, ioas));
            return;
        }
        s.Add("IOMMU_IOAS_UNMAP", new JsonObject
        {
            ["ioas_id"] = ioas,
            ["iova"] = s.OneIn(3) ? ulong.MaxValue : ApertureStart + Page * (ulong)s.Random.Next(0, 64),
            ["length"] = s.OneIn(3) ? ulong.MaxValue : s.Length(),
        }, fd);
    }

    /// <summary>IOMMU_IOAS_COPY of (part of) an area into an IOAS of the same fd (or a made-up one), at an
    /// automatic or fixed IOVA.</summary>
    private static void Copy(SequenceState s)
    {
        if (s.Areas.Count == 0)
        {
            Map(s);
            return;
        }
        TrackedArea source = s.Pick(s.Areas);
        List<TrackedObject> sameFd = s.OnFd(source.Fd, Ioas);
        JsonNode destination = sameFd.Count > 0 && !s.OneIn(8) ? s.Pick(sameFd).Id.DeepClone() : s.MadeUpId();
        ulong length = s.OneIn(3) ? source.Length : Math.Max(1, source.Length / (ulong)s.Random.Next(1, 4) & ~(IoPage - 1));
        bool isFixed = s.OneIn(3);
        uint flags = s.MapFlags();
        var arg = new JsonObject
        {
            ["flags"] = flags | (isFixed ? 1u : 0u),
            ["dst_ioas_id"] = destination,
            ["src_ioas_id"] = source.Ioas.DeepClone(),
            ["length"] = length,
            ["src_iova"] = source.Iova.DeepClone(),
        };
        if (isFixed)
            arg["dst_iova"] = s.FixedIova(length);
        int step = s.Add("IOMMU_IOAS_COPY", arg, source.Fd);
        if (flags is 2 or 4 or 6)
            s.Areas.Add(new TrackedArea(source.Fd, destination.DeepClone(), isFixed ? arg["dst_iova"]!.DeepClone() : Ref(step, "dst_iova"),
                                        length, source.Buffer, source.Offset));
    }

    /// <summary>IOMMU_TEST_CMD ADD_RESERVED on an IOAS: inside the aperture or below it, over areas
    /// (EADDRINUSE), empty (EINVAL) or wrapping (EOVERFLOW).</summary>
    private static void AddReserved(SequenceState s)
    {
        (int fd, JsonNode ioas, _) = s.IdOf(10, Ioas);
        ulong start = s.Random.Next(3) switch
        {
            0 => Page * (ulong)s.Random.Next(0, 64),
            1 => ulong.MaxValue - Page * (ulong)s.Random.Next(0, 2),
            _ => ApertureStart + Page * (ulong)s.Random.Next(0, 256),
        };
        ulong length = s.OneIn(10) ? 0 : Page * (ulong)s.Random.Next(1, 16);
        s.TestCmd(fd, OpAddReserved, ioas, "add_reserved", new JsonObject { ["start"] = start, ["length"] = length });
    }

    /// <summary>IOMMU_IOAS_IOVA_RANGES into the scratch buffer (room for 0-4 ranges), read back.</summary>
    private static void IovaRanges(SequenceState s)
    {
        (int fd, JsonNode ioas, _) = s.IdOf(12, Ioas);
        var arg = new JsonObject { ["ioas_id"] = ioas, ["num_iovas"] = s.Random.Next(0, 5), ["allowed_iovas"] = $"@{Scratch}+0" };
        if (s.OneIn(12))
            arg["__reserved"] = 1;
        s.Add("IOMMU_IOAS_IOVA_RANGES", arg, fd);
        s.ReadScratch(80);
    }

    /// <summary>IOMMU_IOAS_ALLOW_IOVAS with 0-3 ranges, inside the aperture or across its ends, sometimes
    /// overlapping.</summary>
    private static void AllowIovas(SequenceState s)
    {
        (int fd, JsonNode ioas, _) = s.IdOf(12, Ioas);
        int count = s.Random.Next(0, 4);
        var data = new byte[count * 16];
        ulong next = s.OneIn(4) ? Page * (ulong)s.Random.Next(0, 64) : ApertureStart + Page * (ulong)s.Random.Next(0, 64);
        for (int i = 0; i < count; i++)
        {
            ulong start = s.OneIn(8) ? ApertureStart + Page * (ulong)s.Random.Next(0, 256) : next;
            ulong last = s.OneIn(8) ? start : start + Page * (ulong)s.Random.Next(1, 1024) - 1;
            next = last + 1 + Page * (ulong)s.Random.Next(0, 16);
            BitConverter.TryWriteBytes(data.AsSpan(i * 16), start);
            BitConverter.TryWriteBytes(data.AsSpan(i * 16 + 8), last);
        }
        if (count > 0)
            s.WriteScratch(data);
        s.Add("IOMMU_IOAS_ALLOW_IOVAS", new JsonObject { ["ioas_id"] = ioas, ["num_iovas"] = count, ["allowed_iovas"] = $"@{Scratch}+0" }, fd);
    }

    /// <summary>IOMMU_OPTION: HUGE_PAGES get/set on an IOAS (off with a domain and areas is EINVAL),
    /// RLIMIT_MODE get, unknown options and values.</summary>
    private static void Option(SequenceState s)
    {
        (int fd, JsonNode ioas, _) = s.IdOf(12, Ioas);
        bool huge = !s.OneIn(4);
        int option = huge ? 1 : s.OneIn(3) ? s.Random.Next(2, 100) : 0;
        s.Add("IOMMU_OPTION", new JsonObject
        {
            ["option_id"] = option,
            // RLIMIT_MODE SET depends on the caller's capabilities; only GET it.
            ["op"] = option == 0 ? 1 : s.Random.Next(2),
            ["object_id"] = huge ? ioas : JsonValue.Create(0),
            ["val64"] = s.OneIn(5) ? 2 : s.Random.Next(2),
        }, fd);
    }
}
