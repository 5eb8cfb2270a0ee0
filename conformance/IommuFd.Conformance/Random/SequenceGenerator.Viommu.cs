using System.Text.Json.Nodes;
using static IommuFd.Conformance.Random.SequenceState;

namespace IommuFd.Conformance.Random;

// The vIOMMU family (7.3): IOMMU_VIOMMU_ALLOC on a nesting parent, IOMMU_VDEVICE_ALLOC, nested HWPTs on a
// vIOMMU, IOMMU_VEVENTQ_ALLOC (creates an fd) and reads of it, IOMMU_TEST_OP_TRIGGER_VEVENT, the vIOMMU's
// IOMMU_HWPT_INVALIDATE and DEV_CHECK_CACHE, and the DESTROY and close of all of them in any order.
public sealed partial class SequenceGenerator
{
    private const uint OpDevCheckCache = 16, OpTriggerVevent = 17;
    private const uint ViommuTypeSelftest = 0xdeadbeef, VeventqTypeSelftest = 0xbeefbeef, DevCacheDefault = 0xbaddad;

    /// <summary>One step of the vIOMMU family, on the objects made so far (making what is missing first).</summary>
    private static void Viommu(SequenceState s)
    {
        List<TrackedObject> viommus = s.Of(SequenceState.Viommu);
        if (viommus.Count == 0 || s.OneIn(10))
        {
            NewViommu(s);
            return;
        }
        TrackedObject viommu = s.Pick(viommus);
        switch (s.Random.Next(20))
        {
            case 0 or 1 or 2: NewVdevice(s, viommu); break;
            case 3: _ = NestedOnViommu(s, viommu); break;
            case 4 or 5: ReplaceOntoViommu(s, viommu); break;
            case 6: _ = NewVeventq(s, viommu); break;
            case 7 or 8: TriggerVevent(s, viommu); break;
            case 9 or 10: ReadVeventq(s); break;
            case 11: ViommuInvalidate(s, viommu); break;
            case 12: CheckDevCache(s, viommu); break;
            case 13:
                if (s.VeventqFds.Count > 0)
                {
                    TrackedObject queue = s.Pick(s.VeventqFds.Keys.ToList());
                    s.CloseCreated(s.VeventqFds[queue]);
                    s.VeventqFds.Remove(queue);
                }
                break;
            case 14 or 15: DestroyViommuObject(s); break;
            default: EventChain(s, viommu); break;
        }
    }

    /// <summary>What makes an event reach a queue, each part made when missing: a vDEVICE, a nested HWPT of
    /// the vIOMMU, a queue with its fd, the device moved onto the HWPT; then triggers and a read.</summary>
    private static void EventChain(SequenceState s, TrackedObject viommu)
    {
        List<TrackedObject> devices = s.OnFd(viommu.Fd, Device).Where(d => d.Owner is not null && s.Sure.Contains(d)).ToList();
        if (devices.Count == 0)
            return;
        TrackedObject device = s.Pick(devices);
        NewVdevice(s, viommu, device, virtId: (ulong)s.Random.Next(1, 4));
        TrackedObject? nested = s.Of(Nested).Where(n => n.Owner == viommu).ToList() is { Count: > 0 } made ? s.Pick(made) : NestedOnViommu(s, viommu);
        TrackedObject? queue = s.VeventqFds.Keys.Where(q => q.Owner == viommu).ToList() is { Count: > 0 } open ? s.Pick(open) : NewVeventq(s, viommu);
        if (nested is not null)
            s.TestCmd(viommu.Fd, OpReplace, device.Owner!.Id.DeepClone(), "mock_domain_replace", new JsonObject { ["pt_id"] = nested.Id.DeepClone() });
        TriggerVevent(s, viommu, device);
        if (queue is not null && s.VeventqFds.TryGetValue(queue, out int k))
            s.Steps.Add(new Traces.FdReadStep(k, s.Pick(new[] { 12, 24, 36, 64 })));
    }

    /// <summary>VIOMMU_ALLOC on a nesting parent and a device of its fd: mostly the SELFTEST type, else
    /// DEFAULT, an unknown type, a flag, or a parent that is not one.</summary>
    private static TrackedObject? NewViommu(SequenceState s)
    {
        TrackedObject? parent = NestParent(s);
        List<TrackedObject> devices = parent is null ? [] : s.OnFd(parent.Fd, Device).Where(s.Sure.Contains).ToList();
        if (parent is null || devices.Count == 0)
            return null;
        var arg = new JsonObject
        {
            ["type"] = ViommuTypeSelftest,
            ["dev_id"] = s.Pick(devices).Id.DeepClone(),
            ["hwpt_id"] = parent.Id.DeepClone(),
        };
        bool valid = true;
        switch (s.Random.Next(12))
        {
            case 0: arg["type"] = s.Pick(new uint[] { 0, 0xdead }); valid = false; break;
            case 1: arg["flags"] = 1u << s.Random.Next(0, 32); valid = false; break;
            case 2 when s.OnFd(parent.Fd, Hwpt, AutoHwpt, Ioas) is { Count: > 0 } wrong:
                arg["hwpt_id"] = s.Pick(wrong).Id.DeepClone(); valid = false; break;
        }
        int step = s.Add("IOMMU_VIOMMU_ALLOC", arg, parent.Fd);
        return valid ? s.Track(SequenceState.Viommu, parent.Fd, Ref(step, "out_viommu_id"), owner: parent) : null;
    }

    /// <summary>VDEVICE_ALLOC of a device of the vIOMMU's fd at a small virtual ID (clashes and a second
    /// vDEVICE per device happen: EEXIST), now and then a made-up device.</summary>
    private static void NewVdevice(SequenceState s, TrackedObject viommu, TrackedObject? device = null, ulong? virtId = null)
    {
        List<TrackedObject> devices = s.OnFd(viommu.Fd, Device);
        JsonNode dev = device?.Id.DeepClone() ?? (devices.Count > 0 && !s.OneIn(10) ? s.Pick(devices).Id.DeepClone() : s.MadeUpId());
        virtId ??= s.OneIn(6) ? (ulong)s.Random.NextInt64() : (ulong)s.Random.Next(0, 4);
        int step = s.Add("IOMMU_VDEVICE_ALLOC", new JsonObject { ["viommu_id"] = viommu.Id.DeepClone(), ["dev_id"] = dev, ["virt_id"] = virtId }, viommu.Fd);
        s.Track(Vdevice, viommu.Fd, Ref(step, "out_vdevice_id"), owner: viommu);
    }

    /// <summary>A nested HWPT with selftest data (4 or 8 bytes) on the vIOMMU, for a device of its fd.</summary>
    private static TrackedObject? NestedOnViommu(SequenceState s, TrackedObject viommu)
    {
        List<TrackedObject> devices = s.OnFd(viommu.Fd, Device).Where(s.Sure.Contains).ToList();
        if (devices.Count == 0)
            return null;
        uint iotlb = s.OneIn(2) ? IotlbDefault : (uint)s.Random.Next(1, 1 << 20);
        s.Steps.Add(new Traces.WriteStep(Data, HwptData, BitConverter.GetBytes(iotlb)));
        int step = s.Add("IOMMU_HWPT_ALLOC", new JsonObject
        {
            ["flags"] = s.OneIn(8) ? 1u << 31 : 0u,
            ["dev_id"] = s.Pick(devices).Id.DeepClone(),
            ["pt_id"] = viommu.Id.DeepClone(),
            ["data_type"] = DataSelftest,
            ["data_len"] = s.Pick(new uint[] { 4, 8 }),
            ["data_uptr"] = $"@{Data}+{HwptData}",
        }, viommu.Fd);
        TrackedObject nested = s.Track(Nested, viommu.Fd, Ref(step, "out_hwpt_id"), owner: viommu);
        s.Iotlb[nested] = iotlb;
        return nested;
    }

    /// <summary>MOCK_DOMAIN_REPLACE of a device onto a nested HWPT of the vIOMMU (ENOENT without its
    /// vDEVICE), or back to its IOAS.</summary>
    private static void ReplaceOntoViommu(SequenceState s, TrackedObject viommu)
    {
        List<TrackedObject> devices = s.OnFd(viommu.Fd, Device).Where(d => d.Owner is not null).ToList();
        List<TrackedObject> nested = s.Of(Nested).Where(n => n.Owner == viommu).ToList();
        if (devices.Count == 0)
            return;
        TrackedObject device = s.Pick(devices);
        JsonNode pt = nested.Count > 0 && !s.OneIn(4) ? s.Pick(nested).Id.DeepClone()
            : s.OnFd(viommu.Fd, Ioas) is { Count: > 0 } ioas ? s.Pick(ioas).Id.DeepClone() : s.MadeUpId();
        s.TestCmd(viommu.Fd, OpReplace, device.Owner!.Id.DeepClone(), "mock_domain_replace", new JsonObject { ["pt_id"] = pt });
    }

    /// <summary>VEVENTQ_ALLOC on the vIOMMU (its fd is the next trace fd): the SELFTEST type with a small
    /// depth mostly (so queues overflow), else another type, depth 0 or past the maximum, flags.</summary>
    private static TrackedObject NewVeventq(SequenceState s, TrackedObject viommu)
    {
        var arg = new JsonObject
        {
            ["viommu_id"] = viommu.Id.DeepClone(),
            ["type"] = s.OneIn(8) ? s.Pick(new uint[] { 0, 1, 0xdead }) : VeventqTypeSelftest,
            ["veventq_depth"] = s.Random.Next(10) switch { 0 => 0u, 1 => (1u << 19) + 1, 2 => 1u << 19, _ => (uint)s.Random.Next(1, 4) },
        };
        if (s.OneIn(12))
            arg["flags"] = 1;
        int step = s.Add("IOMMU_VEVENTQ_ALLOC", arg, viommu.Fd);
        int k = s.CreatesFd();
        TrackedObject queue = s.Track(Veventq, viommu.Fd, Ref(step, "out_veventq_id"), owner: viommu);
        s.VeventqFds[queue] = k;
        return queue;
    }

    /// <summary>TRIGGER_VEVENT from a device of the vIOMMU's fd (reported only while it is attached to a
    /// nested HWPT of a vIOMMU with a non-zero virtual ID and a SELFTEST queue), sometimes a made-up one.</summary>
    private static void TriggerVevent(SequenceState s, TrackedObject viommu, TrackedObject? device = null)
    {
        List<TrackedObject> devices = s.OnFd(viommu.Fd, Device);
        JsonNode dev = device?.Id.DeepClone() ?? (devices.Count > 0 && !s.OneIn(10) ? s.Pick(devices).Id.DeepClone() : s.MadeUpId());
        // trigger_vevent {u32 dev_id} is the low half of 6.12's check_map.iova.
        int times = s.OneIn(3) ? s.Random.Next(2, 5) : 1;
        for (int i = 0; i < times; i++)
            s.TestCmd(viommu.Fd, OpTriggerVevent, null, "check_map", new JsonObject { ["iova"] = dev.DeepClone() });
    }

    /// <summary>A read of a vEVENT queue's fd: below a header, a header, one to several 12-byte events.</summary>
    private static void ReadVeventq(SequenceState s)
    {
        if (s.VeventqFds.Count == 0)
            return;
        int k = s.Pick(s.VeventqFds.Values.ToList());
        s.Steps.Add(new Traces.FdReadStep(k, s.Pick(new[] { 0, 7, 8, 12, 12, 20, 24, 36, 64 })));
    }

    /// <summary>HWPT_INVALIDATE of the vIOMMU with 0-2 entries {flags, vdev_id, cache_id} (mostly valid
    /// virtual IDs and cache IDs), now and then a wrong type or entry length.</summary>
    private static void ViommuInvalidate(SequenceState s, TrackedObject viommu)
    {
        int count = s.Random.Next(0, 3);
        var entries = new byte[count * 12 + 12];
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(entries.AsSpan(i * 12), s.Random.Next(10) switch { < 7 => 0u, < 9 => InvalidateAll, _ => 2u });
            BitConverter.TryWriteBytes(entries.AsSpan(i * 12 + 4), (uint)s.Random.Next(0, 4));
            BitConverter.TryWriteBytes(entries.AsSpan(i * 12 + 8), (uint)s.Random.Next(0, s.OneIn(8) ? 8 : 4));
        }
        s.Steps.Add(new Traces.WriteStep(Data, Entries, entries));
        s.Add("IOMMU_HWPT_INVALIDATE", new JsonObject
        {
            ["hwpt_id"] = viommu.Id.DeepClone(),
            ["data_uptr"] = $"@{Data}+{Entries}",
            ["data_type"] = s.OneIn(10) ? InvalidateSelftestInvalid : InvalidateSelftest,
            ["entry_len"] = s.OneIn(10) ? s.Pick(new uint[] { 0, 1, 13 }) : 12u,
            ["entry_num"] = count,
        }, viommu.Fd);
    }

    /// <summary>DEV_CHECK_CACHE of a device of the vIOMMU's fd: an entry (sometimes past the last) against
    /// the default or 0. check_dev_cache {u32 id, u32 cache} is 6.12's check_map.iova.</summary>
    private static void CheckDevCache(SequenceState s, TrackedObject viommu)
    {
        List<TrackedObject> devices = s.OnFd(viommu.Fd, Device);
        if (devices.Count == 0)
            return;
        ulong cacheId = (ulong)s.Random.Next(0, s.OneIn(8) ? 6 : 4);
        ulong value = s.OneIn(2) ? DevCacheDefault : 0;
        s.TestCmd(viommu.Fd, OpDevCheckCache, s.Pick(devices).Id.DeepClone(), "check_map", new JsonObject { ["iova"] = cacheId | (value << 32) });
    }

    /// <summary>DESTROY of a vIOMMU, vDEVICE or vEVENT queue, in any order (EBUSY while held or its fd is open).</summary>
    private static void DestroyViommuObject(SequenceState s)
    {
        TrackedObject? victim = s.Live(100, SequenceState.Viommu, Vdevice, Veventq);
        if (victim is null)
            return;
        s.Add("IOMMU_DESTROY", new JsonObject { ["id"] = victim.Id.DeepClone() }, victim.Fd);
        if (s.Holds(victim) || s.VeventqFds.ContainsKey(victim))
            return;
        s.Forget(victim);
    }
}
