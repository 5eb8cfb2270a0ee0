using System.Text.Json.Nodes;
using static IommuFd.Conformance.Random.SequenceState;

namespace IommuFd.Conformance.Random;

// Families of nested HWPTs (the selftest data type), MD_CHECK_IOTLB and IOMMU_HWPT_INVALIDATE.
public sealed partial class SequenceGenerator
{
    private const uint OpCheckIotlb = 14;
    private const uint DataSelftest = 0xdead, InvalidateSelftest = 0xdeadbeef, InvalidateSelftestInvalid = 0xdadbeef;
    private const uint IotlbDefault = 0xbadbeef, IotlbEntries = 4, InvalidateAll = 1;

    /// <summary>A NEST_PARENT paging HWPT (allocating one on a device and an IOAS of its fd when there is none
    /// or one time in six), on <paramref name="fd"/> when given; null when no device can be found.</summary>
    private static TrackedObject? NestParent(SequenceState s, int? fd = null)
    {
        List<TrackedObject> parents = s.HwptsWith(HwptNestParent).Where(p => fd is null || p.Fd == fd).ToList();
        if (parents.Count > 0 && !s.OneIn(6))
            return s.Pick(parents);
        TrackedObject? device = SureDevice(s);
        if (fd is not null && device?.Fd != fd)
            device = s.OnFd(fd.Value, Device).Where(s.Sure.Contains).ToList() is { Count: > 0 } onFd ? s.Pick(onFd) : null;
        List<TrackedObject> ioas = device is null ? [] : s.OnFd(device.Fd, Ioas);
        if (device is null || ioas.Count == 0)
            return null;
        TrackedObject owner = s.Pick(ioas);
        int step = s.Add("IOMMU_HWPT_ALLOC", new JsonObject
        {
            ["flags"] = HwptNestParent | (s.OneIn(4) ? HwptDirtyTracking : 0u),
            ["dev_id"] = device.Id.DeepClone(),
            ["pt_id"] = owner.Id.DeepClone(),
        }, device.Fd);
        TrackedObject parent = s.Track(Hwpt, device.Fd, Ref(step, "out_hwpt_id"), owner: owner);
        s.HwptFlags[parent] = HwptNestParent;
        return parent;
    }

    /// <summary>IOMMU_HWPT_ALLOC of a nested HWPT with selftest data (the IOTLB value, written into the data
    /// buffer first) on a NEST_PARENT HWPT; and its errors: no data, a wrong type, short or long data, a NULL
    /// pointer, NEST_PARENT on the nested HWPT, a parent that is not one (paging, automatic, nested, made-up).
    /// </summary>
    private static void NestedAlloc(SequenceState s) => NestedAlloc(s, fault: null);

    /// <summary>Like <see cref="NestedAlloc(SequenceState)"/>; with a <paramref name="fault"/> queue:
    /// FAULT_ID_VALID with it (an IOPF-capable HWPT), mostly.</summary>
    private static TrackedObject? NestedAlloc(SequenceState s, TrackedObject? fault)
    {
        TrackedObject? parent = NestParent(s, fault?.Fd);
        if (parent is null)
            return null;
        List<TrackedObject> devices = s.OnFd(parent.Fd, Device).Where(s.Sure.Contains).ToList();
        JsonNode dev = devices.Count > 0 && !s.OneIn(12) ? s.Pick(devices).Id.DeepClone() : s.MadeUpId();
        List<TrackedObject> wrongParents = s.OnFd(parent.Fd, Hwpt, AutoHwpt, Nested, Ioas);
        bool validParent = wrongParents.Count == 0 || !s.OneIn(8);
        JsonNode pt = validParent ? parent.Id.DeepClone() : s.Pick(wrongParents).Id.DeepClone();
        uint iotlb = s.OneIn(2) ? IotlbDefault : (uint)s.Random.Next(1, 1 << 20);
        s.Steps.Add(new Traces.WriteStep(Data, HwptData, BitConverter.GetBytes(iotlb)));
        var arg = new JsonObject
        {
            ["flags"] = fault is null ? 0u : HwptFaultIdValid,
            ["dev_id"] = dev,
            ["pt_id"] = pt,
            ["data_type"] = DataSelftest,
            ["data_len"] = 4,
            ["data_uptr"] = $"@{Data}+{HwptData}",
        };
        if (fault is not null)
            arg["fault_id"] = s.OneIn(8) ? JsonValue.Create(s.OneIn(2) ? 0xFFFFFFFFu : 0u) : fault.Id.DeepClone();
        bool valid = true;
        switch (s.Random.Next(20))
        {
            case 0: arg["data_type"] = 0; valid = false; break;
            case 1: arg["data_type"] = DataSelftest + 1; valid = false; break;
            case 2: arg["data_len"] = s.Pick(new uint[] { 0, 3, 5, (uint)Page }); valid = false; break;
            case 3: arg["data_uptr"] = 0; valid = false; break;
            case 4: arg["flags"] = (uint)arg["flags"]!.GetValue<uint>() | HwptNestParent; valid = false; break;
            case 5 when fault is null: arg["flags"] = HwptFaultIdValid; arg["fault_id"] = 0xFFFFFFFFu; valid = false; break;
        }
        int step = s.Add("IOMMU_HWPT_ALLOC", arg, parent.Fd);
        if (!valid || !validParent || devices.Count == 0)
            return null;
        TrackedObject nested = s.Track(Nested, parent.Fd, Ref(step, "out_hwpt_id"), owner: parent);
        s.Iotlb[nested] = iotlb;
        if (fault is not null)
            s.FaultOf[nested] = fault;
        return nested;
    }

    /// <summary>IOMMU_HWPT_INVALIDATE of a nested HWPT (sometimes a paging one or a made-up ID) with 0-3
    /// selftest entries (an IOTLB index, FLAG_ALL, an unknown flag or an index past the last): the kernel
    /// writes back how many entries it handled; wrong types, entry lengths, NULL arrays, a reserved field.</summary>
    private static void Invalidate(SequenceState s)
    {
        (int fd, JsonNode hwpt, _) = NestedTarget(s);
        int count = s.Random.Next(0, 4);
        var entries = new byte[count * 8 + 8];
        for (int i = 0; i < count; i++)
        {
            uint flags = s.Random.Next(12) switch { < 8 => 0u, < 11 => InvalidateAll, _ => 1u << s.Random.Next(1, 32) };
            uint index = s.OneIn(10) ? (uint)s.Random.Next(4, 1000) : (uint)s.Random.Next(0, (int)IotlbEntries);
            BitConverter.TryWriteBytes(entries.AsSpan(i * 8), flags);
            BitConverter.TryWriteBytes(entries.AsSpan(i * 8 + 4), index);
        }
        s.Steps.Add(new Traces.WriteStep(Data, Entries, entries));
        var arg = new JsonObject
        {
            ["hwpt_id"] = hwpt,
            ["data_uptr"] = $"@{Data}+{Entries}",
            ["data_type"] = s.OneIn(10) ? s.Pick(new uint[] { InvalidateSelftestInvalid, 0, DataSelftest }) : InvalidateSelftest,
            ["entry_len"] = s.OneIn(10) ? s.Pick(new uint[] { 0, 1, 4, 9, 12, (uint)Page + 1 }) : 8u,
            ["entry_num"] = count,
        };
        if (s.OneIn(15))
            arg["data_uptr"] = 0;
        if (s.OneIn(15))
            arg["__reserved"] = 1;
        s.Add("IOMMU_HWPT_INVALIDATE", arg, fd);
    }

    /// <summary>MD_CHECK_IOTLB of a nested HWPT's IOTLB entry (0-3, sometimes past the last) against the
    /// default, zero (after an invalidation) or another value; on a paging HWPT or made-up ID now and then.</summary>
    private static void CheckIotlb(SequenceState s)
    {
        (int fd, JsonNode hwpt, TrackedObject? nested) = NestedTarget(s);
        uint allocated = nested is not null && s.Iotlb.TryGetValue(nested, out uint value) ? value : IotlbDefault;
        s.TestCmd(fd, OpCheckIotlb, hwpt, "check_iotlb", new JsonObject
        {
            ["id"] = s.OneIn(10) ? s.Random.Next(4, 8) : s.Random.Next(0, (int)IotlbEntries),
            ["iotlb"] = s.Random.Next(6) switch { 0 or 1 => 0u, 2 => (uint)s.Random.Next(1, 1 << 20), _ => allocated },
        });
    }

    /// <summary>A nested HWPT (allocated first, mostly, when there is none), sometimes a paging HWPT or a
    /// made-up ID.</summary>
    private static (int Fd, JsonNode Id, TrackedObject? Hwpt) NestedTarget(SequenceState s)
    {
        if (s.OneIn(8))
            return s.IdOf(2, Hwpt, AutoHwpt);
        if (s.Of(Nested).Count == 0 && !s.OneIn(4) && NestedAlloc(s, fault: null) is { } made)
            return (made.Fd, made.Id.DeepClone(), made);
        return s.IdOf(8, Nested);
    }
}
