using System.Text.Json.Nodes;
using static IommuFd.Conformance.Random.SequenceState;

namespace IommuFd.Conformance.Random;

// Families of mock devices, HWPTs, hw info, destroy and the mock domain checks.
public sealed partial class SequenceGenerator
{
    private const uint OpMockDomain = 2, OpCheckMap = 3, OpCheckRefs = 4, OpReplace = 10, OpMockDomainFlags = 12;
    private const uint DeviceNoDirty = 1;

    /// <summary>MOCK_DOMAIN or MOCK_DOMAIN_FLAGS on an IOAS (automatic HWPT), an allocated HWPT, or a
    /// made-up ID; device flags NO_DIRTY, HUGE_IOVA (where the kernel has it), both, or an unknown bit.</summary>
    private static void MockDomain(SequenceState s)
    {
        int roll = s.Random.Next(10);
        (int fd, JsonNode id, TrackedObject? target) = roll < 7 ? s.IdOf(12, Ioas) : roll < 9 ? s.IdOf(4, Hwpt, Nested) : (s.Fd(), s.MadeUpId(), null);
        bool withFlags = s.OneIn(3);
        uint huge = s.HugeIovaFlag;
        uint devFlags = withFlags ? s.Random.Next(8) switch
        {
            0 => 1u << s.Random.Next(s.FirstUnknownDeviceFlag, 32), 1 or 2 => DeviceNoDirty, 3 or 4 => huge, 5 => DeviceNoDirty | huge, _ => 0u,
        } : 0u;
        int step = withFlags
            ? s.TestCmd(fd, OpMockDomainFlags, id, "mock_domain_flags", new JsonObject { ["dev_flags"] = devFlags })
            : s.TestCmd(fd, OpMockDomain, id);
        TrackedObject stdev = s.Track(Selftest, fd, Ref(step, "mock_domain.out_stdev_id"));
        TrackedObject device = s.Track(Device, fd, Ref(step, "mock_domain.out_idev_id"), owner: stdev, holdsOwner: false);
        if (target?.Kind == Ioas && (devFlags & ~huge) == 0)
            s.Sure.Add(device);
        if (target?.Kind == Ioas)
            s.Track(AutoHwpt, fd, Ref(step, "mock_domain.out_hwpt_id"), owner: target);
    }

    /// <summary>A device surely bound (its MOCK_DOMAIN was valid), else a new one on a live IOAS (null when
    /// there is none): the families whose calls need a real device start from it.</summary>
    private static TrackedObject? SureDevice(SequenceState s)
    {
        List<TrackedObject> sure = s.Of(Device).Where(s.Sure.Contains).ToList();
        if (sure.Count > 0 && !s.OneIn(8))
            return s.Pick(sure);
        TrackedObject? ioas = s.Live(100, Ioas);
        if (ioas is null)
            return sure.Count > 0 ? s.Pick(sure) : null;
        int step = s.TestCmd(ioas.Fd, OpMockDomain, ioas.Id.DeepClone());
        TrackedObject stdev = s.Track(Selftest, ioas.Fd, Ref(step, "mock_domain.out_stdev_id"));
        TrackedObject device = s.Track(Device, ioas.Fd, Ref(step, "mock_domain.out_idev_id"), owner: stdev, holdsOwner: false);
        s.Track(AutoHwpt, ioas.Fd, Ref(step, "mock_domain.out_hwpt_id"), owner: ioas);
        s.Sure.Add(device);
        return device;
    }

    /// <summary>Maps a fresh area (whole pages, read/write, at a fixed IOVA on a 1 MiB grid in the aperture)
    /// into a live IOAS, so pins, reads and dirty bits have real pages to work on.</summary>
    private static TrackedArea FreshArea(SequenceState s, TrackedObject ioas)
    {
        ulong length = Page * (ulong)s.Random.Next(1, 9);
        (string buffer, ulong size) = s.Pick(Buffers);
        ulong offset = Page * (ulong)s.Random.Next(0, (int)((size - length) / Page) + 1);
        ulong iova = ApertureStart + (1UL << 20) * (ulong)s.Random.Next(16, 2000);
        s.Add("IOMMU_IOAS_MAP", new JsonObject
        {
            ["flags"] = 7,
            ["ioas_id"] = ioas.Id.DeepClone(),
            ["user_va"] = $"@{buffer}+{offset}",
            ["length"] = length,
            ["iova"] = iova,
        }, ioas.Fd);
        var area = new TrackedArea(ioas.Fd, ioas.Id.DeepClone(), JsonValue.Create(iova), length, buffer, offset);
        s.Areas.Add(area);
        return area;
    }

    /// <summary>MOCK_DOMAIN_REPLACE of a device's attachment: to an IOAS (automatic HWPT), an allocated or
    /// automatic HWPT, the device or selftest object itself (wrong type), or a made-up ID.</summary>
    private static void Replace(SequenceState s)
    {
        (int fd, JsonNode stdev, _) = s.OneIn(8) ? s.IdOf(2, Device) : s.IdOf(10, Selftest);
        List<TrackedObject> ioas = s.OnFd(fd, Ioas), hwpts = s.OnFd(fd, Hwpt, AutoHwpt, Nested), devices = s.OnFd(fd, Selftest, Device);
        int roll = s.Random.Next(10);
        TrackedObject? pt = roll < 5 && ioas.Count > 0 ? s.Pick(ioas)
                          : roll < 8 && hwpts.Count > 0 ? s.Pick(hwpts)
                          : roll < 9 && devices.Count > 0 ? s.Pick(devices) : null;
        int step = s.TestCmd(fd, OpReplace, stdev, "mock_domain_replace", new JsonObject { ["pt_id"] = pt?.Id.DeepClone() ?? s.MadeUpId() });
        if (pt?.Kind == Ioas)
            s.Track(AutoHwpt, fd, Ref(step, "mock_domain_replace.pt_id"), owner: pt);
    }

    /// <summary>IOMMU_HWPT_ALLOC: a paging HWPT of a device on an IOAS (flags none, NEST_PARENT,
    /// DIRTY_TRACKING, both, unknown), and the errors: another object as pt_id (a paging HWPT is the nested
    /// path, refused before its driver data), a made-up device, driver data a paging HWPT does not take,
    /// data length without type and type without length, a non-zero reserved field.</summary>
    private static void HwptAlloc(SequenceState s)
    {
        (int fd, JsonNode dev, TrackedObject? device) = s.OneIn(10) ? s.IdOf(1, Ioas) : s.IdOf(10, Device);
        List<TrackedObject> ioas = s.OnFd(fd, Ioas), others = s.OnFd(fd, Hwpt, AutoHwpt, Selftest);
        int roll = s.Random.Next(10);
        TrackedObject? pt = roll < 8 && ioas.Count > 0 ? s.Pick(ioas) : roll < 9 && others.Count > 0 ? s.Pick(others) : null;
        uint flags = s.Random.Next(20) switch
        {
            < 9 => 0u, < 13 => 1u, < 16 => 2u, 16 => 3u, _ => 1u << s.Random.Next(2, 32),
        };
        var arg = new JsonObject { ["flags"] = flags, ["dev_id"] = dev, ["pt_id"] = pt?.Id.DeepClone() ?? s.MadeUpId() };
        switch (s.Random.Next(16))
        {
            case 0 when pt?.Kind == Ioas: // selftest driver data: a paging domain takes none
                arg["data_type"] = 0xdead;
                arg["data_len"] = 4;
                arg["data_uptr"] = $"@{Scratch}+0";
                break;
            case 1:
                arg["data_len"] = 4;
                arg["data_uptr"] = $"@{Scratch}+0";
                break;
            case 2:
                arg["data_type"] = 0xdead;
                break;
            case 3:
                arg["__reserved"] = 1;
                break;
        }
        int step = s.Add("IOMMU_HWPT_ALLOC", arg, fd);
        if (pt?.Kind != Ioas || flags >= 4 || arg.Count != 3)
            return;
        TrackedObject hwpt = s.Track(Hwpt, fd, Ref(step, "out_hwpt_id"), owner: pt);
        if (device is not null && s.Sure.Contains(device))
            s.HwptFlags[hwpt] = flags; // surely allocated: nested and dirty families build on it
    }

    /// <summary>IOMMU_GET_HW_INFO of a device (or another object / made-up ID) into the scratch buffer with
    /// a data_len below, at or above the 8-byte selftest info, then the buffer read back.</summary>
    private static void GetHwInfo(SequenceState s)
    {
        (int fd, JsonNode dev, _) = s.OneIn(8) ? s.IdOf(1, Ioas, Hwpt, Selftest) : s.IdOf(10, Device);
        s.WriteScratch(Enumerable.Repeat((byte)0xcc, 24).ToArray());
        var arg = new JsonObject
        {
            ["dev_id"] = dev,
            ["data_len"] = s.Pick(new uint[] { 0, 4, 8, 8, 12, 24 }),
            ["data_uptr"] = $"@{Scratch}+0",
        };
        if (s.OneIn(12))
            arg["flags"] = 1u << s.Random.Next(0, 32);
        if (s.OneIn(12))
            arg["__reserved"] = new JsonArray(0, s.Random.Next(1, 4), 0);
        s.Add("IOMMU_GET_HW_INFO", arg, fd);
        s.ReadScratch(24);
    }

    /// <summary>IOMMU_DESTROY of any object in any order: an IOAS or HWPT still in use (EBUSY), a device
    /// (always EBUSY: its driver holds it), a selftest object (detaches and unbinds), or a made-up ID.</summary>
    private static void Destroy(SequenceState s)
    {
        TrackedObject? victim = s.Live(8, Ioas, Hwpt, AutoHwpt, Selftest, Device, Nested);
        if (victim is null)
        {
            s.Add("IOMMU_DESTROY", new JsonObject { ["id"] = s.MadeUpId() }, s.Fd());
            return;
        }
        s.Add("IOMMU_DESTROY", new JsonObject { ["id"] = victim.Id.DeepClone() }, victim.Fd);
        // Predict the outcome: a device is held by its binding; an automatic HWPT by its devices; an IOAS
        // or HWPT by what it owns. A wrong guess only sends later calls to a stale ID.
        if (victim.Kind is Device or AutoHwpt || s.Holds(victim))
            return;
        s.Forget(victim);
    }

    /// <summary>MD_CHECK_MAP of an area through an HWPT of its fd: the area's user memory (mostly), a
    /// shifted one (EINVAL), unaligned arguments, or an ID that is not a paging HWPT.</summary>
    private static void CheckMap(SequenceState s)
    {
        if (s.Areas.Count == 0)
        {
            Map(s);
            return;
        }
        TrackedArea area = s.Pick(s.Areas);
        // Mostly an HWPT of the area's own IOAS (the check can pass), sometimes any of the fd's.
        List<TrackedObject> hwpts = s.OnFd(area.Fd, Hwpt, AutoHwpt);
        List<TrackedObject> own = hwpts.Where(h => h.Owner is { } ioas && Same(ioas.Id, area.Ioas)).ToList();
        if (own.Count > 0 && !s.OneIn(4))
            hwpts = own;
        JsonNode id = hwpts.Count > 0 && !s.OneIn(8) ? s.Pick(hwpts).Id.DeepClone() : s.MadeUpId();
        ulong length = area.Length / IoPage * IoPage;
        ulong offset = area.Offset;
        switch (s.Random.Next(8))
        {
            case 0: length = (ulong)s.Random.Next(1, 4096); break;             // not IO-page sized
            case 1: offset += IoPage; break;                                     // the wrong memory
            case 2: length = IoPage * (ulong)s.Random.Next(0, 2); break;         // one IO page, or none
        }
        offset = Math.Min(offset, LengthOf(area.Buffer));
        s.TestCmd(area.Fd, OpCheckMap, id, "check_map", new JsonObject
        {
            ["iova"] = area.Iova.DeepClone(),
            ["length"] = length,
            ["uptr"] = $"@{area.Buffer}+{offset}",
        });
    }

    /// <summary>MD_CHECK_REFS of pages of a buffer against 0, 1 or 2 long-term pins (EIO when wrong), with
    /// unaligned arguments now and then (EINVAL).</summary>
    private static void CheckRefs(SequenceState s)
    {
        (string buffer, ulong size) = s.Pick(Buffers);
        ulong first = (ulong)s.Random.Next(0, (int)(size / Page));
        ulong pages = (ulong)s.Random.Next(1, (int)(size / Page - first) + 1);
        ulong offset = first * Page, length = pages * Page;
        if (s.OneIn(10))
            offset += IoPage;
        if (s.OneIn(10))
            length -= IoPage;
        s.TestCmd(0, OpCheckRefs, null, "check_refs", new JsonObject
        {
            ["uptr"] = $"@{buffer}+{offset}",
            ["length"] = length,
            ["refs"] = s.Random.Next(0, 3),
        });
    }
}
