using System.Text.Json.Nodes;
using static IommuFd.Conformance.Random.SequenceState;

namespace IommuFd.Conformance.Random;

// Families of dirty tracking: IOMMU_HWPT_SET_DIRTY_TRACKING, IOMMU_TEST_OP_DIRTY (the mock domain's dirty
// bits set from a user bitmap) and IOMMU_HWPT_GET_DIRTY_BITMAP, the bitmaps in the data buffer.
public sealed partial class SequenceGenerator
{
    private const uint OpDirty = 13, DirtyEnable = 1, GetDirtyNoClear = 1;

    /// <summary>A DIRTY_TRACKING HWPT (allocating one on a device and an IOAS of its fd when there is none or
    /// one time in six: a NO_DIRTY device refuses it), sometimes another HWPT, an IOAS or a made-up ID.</summary>
    private static (int Fd, JsonNode Id, TrackedObject? Hwpt) DirtyTarget(SequenceState s)
    {
        if (s.OneIn(8))
            return s.IdOf(3, Hwpt, AutoHwpt, Nested, Ioas);
        List<TrackedObject> dirty = s.HwptsWith(HwptDirtyTracking);
        if (dirty.Count > 0 && !s.OneIn(6))
        {
            TrackedObject picked = s.Pick(dirty);
            return (picked.Fd, picked.Id.DeepClone(), picked);
        }
        TrackedObject? device = SureDevice(s);
        List<TrackedObject> ioas = device is null ? [] : s.OnFd(device.Fd, Ioas);
        if (device is null || ioas.Count == 0)
            return s.IdOf(3, Hwpt, AutoHwpt);
        TrackedObject owner = s.Pick(ioas);
        uint flags = HwptDirtyTracking | (s.OneIn(4) ? HwptNestParent : 0u);
        int step = s.Add("IOMMU_HWPT_ALLOC", new JsonObject
        {
            ["flags"] = flags,
            ["dev_id"] = device.Id.DeepClone(),
            ["pt_id"] = owner.Id.DeepClone(),
        }, device.Fd);
        TrackedObject hwpt = s.Track(Hwpt, device.Fd, Ref(step, "out_hwpt_id"), owner: owner);
        s.HwptFlags[hwpt] = flags;
        return (hwpt.Fd, hwpt.Id.DeepClone(), hwpt);
    }

    /// <summary>IOMMU_HWPT_SET_DIRTY_TRACKING on (which clears the bits) or off, on a dirty-tracking HWPT or
    /// another object; unknown flags, a non-zero reserved field.</summary>
    private static void DirtyTracking(SequenceState s)
    {
        (int fd, JsonNode id, TrackedObject? hwpt) = DirtyTarget(s);
        uint flags = s.Random.Next(10) switch { < 6 => DirtyEnable, < 9 => 0u, _ => 1u << s.Random.Next(1, 32) };
        var arg = new JsonObject { ["flags"] = flags, ["hwpt_id"] = id };
        if (s.OneIn(15))
            arg["__reserved"] = 1;
        s.Add("IOMMU_HWPT_SET_DIRTY_TRACKING", arg, fd);
        if (hwpt is not null && arg.Count == 2 && flags == DirtyEnable)
            s.Tracking.Add(hwpt);
        else if (hwpt is not null && arg.Count == 2 && flags == 0)
            s.Tracking.Remove(hwpt);
    }

    /// <summary>Switches tracking on first, mostly, for a dirty-tracking HWPT whose tracking is off (the
    /// mock domain keeps no dirty bits then).</summary>
    private static void TrackingOn(SequenceState s, int fd, TrackedObject? hwpt)
    {
        if (hwpt is null || s.Tracking.Contains(hwpt) || !s.HwptsWith(HwptDirtyTracking).Contains(hwpt) || s.OneIn(5))
            return;
        s.Add("IOMMU_HWPT_SET_DIRTY_TRACKING", new JsonObject { ["flags"] = DirtyEnable, ["hwpt_id"] = hwpt.Id.DeepClone() }, fd);
        s.Tracking.Add(hwpt);
    }

    /// <summary>A range for the dirty ops: inside an area of the HWPT's IOAS mostly (aligned to
    /// <paramref name="pageSize"/> where the area's IOVA is known), else in the aperture; sometimes unaligned.</summary>
    private static (JsonNode Iova, ulong Length) DirtyRange(SequenceState s, TrackedObject? hwpt, ulong pageSize, ulong maxLength)
    {
        List<TrackedArea> areas = s.AreasOf(hwpt?.Owner);
        if (hwpt?.Owner is { Kind: Ioas } ioas && s.Objects.Contains(ioas) && (areas.Count == 0 || s.OneIn(5)))
            areas = [FreshArea(s, ioas)];
        ulong unit = Math.Max(pageSize, IoPage);
        ulong length = unit * (ulong)s.Random.NextInt64(1, (long)Math.Max(1, maxLength / unit) + 1);
        if (areas.Count == 0 || s.OneIn(8))
            return (JsonValue.Create(ApertureStart + Page * (ulong)s.Random.Next(0, 32)), length);
        TrackedArea area = s.Pick(areas);
        if (area.Iova is not JsonValue v || !v.TryGetValue(out ulong iova))
            return (area.Iova.DeepClone(), Math.Min(length, Math.Max(unit, area.Length / unit * unit)));
        ulong start = (iova + unit - 1) / unit * unit + unit * (ulong)s.Random.Next(0, 4);
        if (s.OneIn(12))
            start += 512;  // below the IO page
        ulong end = iova + area.Length;
        if (start < end && !s.OneIn(4))
            length = Math.Max(unit, Math.Min(length, (end - start) / unit * unit));
        return (JsonValue.Create(start), length);
    }

    /// <summary>IOMMU_TEST_OP_DIRTY: random bits written into the data buffer mark IO pages of a dirty-tracking
    /// HWPT dirty (the kernel counts those mapped); page sizes of 2 KiB (the IO page), 4 KiB and 1 KiB (the
    /// index quirk), and the argument errors (zero or unaligned sizes, NULL bitmap, tracking off).</summary>
    private static void MarkDirty(SequenceState s)
    {
        (int fd, JsonNode id, TrackedObject? hwpt) = DirtyTarget(s);
        TrackingOn(s, fd, hwpt);
        ulong pageSize = s.Random.Next(10) switch { < 6 => IoPage, < 8 => Page, 8 => 1024, _ => 0 };
        (JsonNode iova, ulong length) = DirtyRange(s, hwpt, pageSize, 16 * Page);
        if (s.OneIn(15))
            length += 1;
        ulong bits = pageSize == 0 ? 64 : Math.Min(length / pageSize, 8 * Page * 2);
        var bitmap = new byte[(bits + 7) / 8];
        s.Random.NextBytes(bitmap);
        ulong at = Bitmap + (ulong)s.Random.Next(0, 64);
        s.Steps.Add(new Traces.WriteStep(Data, at, bitmap));
        s.TestCmd(fd, OpDirty, id, "dirty", new JsonObject
        {
            ["iova"] = iova,
            ["length"] = length,
            ["page_size"] = pageSize,
            ["uptr"] = s.OneIn(20) ? JsonValue.Create(0) : JsonValue.Create($"@{Data}+{at}"),
        });
    }

    /// <summary>IOMMU_HWPT_GET_DIRTY_BITMAP into the data buffer (zeroed first mostly, so bits the kernel sets
    /// are seen; read back): with and without NO_CLEAR, bit sizes from 1 byte to 8 KiB, bitmaps at aligned,
    /// IO-page and odd addresses, over areas and holes; the argument errors.</summary>
    private static void GetDirtyBitmap(SequenceState s)
    {
        (int fd, JsonNode id, TrackedObject? hwpt) = DirtyTarget(s);
        TrackingOn(s, fd, hwpt);
        ulong pageSize = s.Random.Next(12) switch { < 6 => IoPage, < 8 => Page, 8 => 1024, 9 => 2 * Page, 10 => 1, _ => 0 };
        (JsonNode iova, ulong length) = DirtyRange(s, hwpt, pageSize, pageSize == 1 ? 2 * Page : 16 * Page);
        ulong bits = length / Math.Max(pageSize, 1);
        int size = (int)Math.Min((bits + 7) / 8 + 8, 4 * Page - 0x1000);
        ulong at = Bitmap + s.Random.Next(5) switch { 0 => 8UL, 1 => IoPage, 2 => 0xff1, 3 => (ulong)s.Random.Next(1, 0x1000), _ => 0 };
        if (!s.OneIn(4))
            s.Steps.Add(new Traces.WriteStep(Data, at, new byte[size]));
        var arg = new JsonObject
        {
            ["hwpt_id"] = id,
            ["flags"] = s.Random.Next(10) switch { < 5 => 0u, < 9 => GetDirtyNoClear, _ => 1u << s.Random.Next(1, 32) },
            ["iova"] = iova,
            ["length"] = length,
            ["page_size"] = pageSize,
            ["data"] = $"@{Data}+{at}",
        };
        if (s.OneIn(20))
            arg["__reserved"] = 1;
        s.Add("IOMMU_HWPT_GET_DIRTY_BITMAP", arg, fd);
        s.Steps.Add(new Traces.ReadStep(Data, at, size));
    }
}
