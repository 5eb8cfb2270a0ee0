using System.Text.Json.Nodes;
using static IommuFd.Conformance.Random.SequenceState;

namespace IommuFd.Conformance.Random;

// Families of fault queues and IOPF: IOMMU_FAULT_QUEUE_ALLOC (creates an fd), IOPF-capable nested HWPTs
// (FAULT_ID_VALID), IOMMU_TEST_OP_TRIGGER_IOPF, and the fault fd's read (records) and write (responses).
public sealed partial class SequenceGenerator
{
    private const uint OpTriggerIopf = 15;

    /// <summary>FAULT_QUEUE_ALLOC (its fd is the next trace fd; an unknown flag now and then), an IOPF-capable
    /// nested HWPT on a fault queue (a bad fault ID sometimes), the close of a fault fd, or the DESTROY of a
    /// fault queue (EBUSY while its fd is open or an HWPT reports to it).</summary>
    private static void FaultQueue(SequenceState s)
    {
        List<TrackedObject> faults = s.Of(Fault);
        switch (faults.Count == 0 ? 0 : s.Random.Next(8))
        {
            case 0 or 1:
                NewFaultQueue(s);
                break;
            case 2 or 3 or 4:
                NestedAlloc(s, s.Pick(faults));
                break;
            case 5 or 6:
            {
                List<TrackedObject> open = faults.Where(s.FaultFds.ContainsKey).ToList();
                if (open.Count == 0)
                    goto default;
                TrackedObject fault = s.Pick(open);
                s.CloseCreated(s.FaultFds[fault]);
                s.FaultFds.Remove(fault);
                break;
            }
            default:
            {
                TrackedObject fault = s.Pick(faults);
                s.Add("IOMMU_DESTROY", new JsonObject { ["id"] = fault.Id.DeepClone() }, fault.Fd);
                bool used = s.FaultOf.Any(f => f.Value == fault && s.Objects.Contains(f.Key));
                if (!used && !s.FaultFds.ContainsKey(fault))
                    s.Forget(fault);
                break;
            }
        }
    }

    private static TrackedObject? NewFaultQueue(SequenceState s) => NewFaultQueue(s, s.Fd());

    private static TrackedObject? NewFaultQueue(SequenceState s, int fd)
    {
        bool valid = !s.OneIn(8);
        int step = s.Add("IOMMU_FAULT_QUEUE_ALLOC", new JsonObject { ["flags"] = valid ? 0u : 1u << s.Random.Next(0, 32) }, fd);
        int k = s.CreatesFd();
        if (!valid)
            return null;
        TrackedObject fault = s.Track(Fault, fd, Ref(step, "out_fault_id"));
        s.FaultFds[fault] = k;
        return fault;
    }

    /// <summary>TRIGGER_IOPF on a device, mostly after replacing its attachment with an IOPF-capable nested
    /// HWPT (else whatever it is attached to, which may take no faults), with PASIDs, groups, permissions and
    /// addresses; then sometimes a read of the fault fd.</summary>
    private static void TriggerIopf(SequenceState s)
    {
        TrackedObject? device = s.OneIn(10) ? null : SureDevice(s);
        int fd = device?.Fd ?? s.Fd();
        JsonNode dev = device?.Id.DeepClone() ?? s.MadeUpId();
        TrackedObject? fault = null;
        if (device?.Owner is { } stdev && !s.OneIn(4))
        {
            List<TrackedObject> iopf = s.OnFd(fd, Nested).Where(s.FaultOf.ContainsKey).ToList();
            if (iopf.Count == 0 && !s.OneIn(3))
            {
                // An IOPF-capable HWPT on the device's fd, on a fault queue of that fd.
                TrackedObject? queue = s.OnFd(fd, Fault).Where(s.FaultFds.ContainsKey).ToList() is { Count: > 0 } queues
                    ? s.Pick(queues) : NewFaultQueue(s, fd);
                if (queue is not null && NestedAlloc(s, queue) is { } made && s.FaultOf.ContainsKey(made))
                    iopf.Add(made);
            }
            if (iopf.Count > 0)
            {
                TrackedObject hwpt = s.Pick(iopf);
                fault = s.FaultOf[hwpt];
                s.TestCmd(fd, OpReplace, stdev.Id.DeepClone(), "mock_domain_replace", new JsonObject { ["pt_id"] = hwpt.Id.DeepClone() });
            }
        }
        s.TestCmd(fd, OpTriggerIopf, null, "trigger_iopf", new JsonObject
        {
            ["dev_id"] = dev,
            ["pasid"] = s.Random.Next(6) switch { < 3 => 0u, < 5 => 1u, _ => (uint)s.Random.Next(2, 0x100000) },
            ["grpid"] = s.OneIn(8) ? 0xFFFFFFFFu : (uint)s.Random.Next(0, 10),
            ["perm"] = s.OneIn(8) ? 0xFu : (uint)s.Random.Next(0, 4),
            ["addr"] = s.OneIn(6) ? ulong.MaxValue : Page * (ulong)s.Random.Next(0, 1 << 16),
        });
        if (s.FaultFds.Count == 0 || s.OneIn(4))
            return;
        int k = fault is not null && s.FaultFds.TryGetValue(fault, out int own) ? own : s.Pick(s.FaultFds.Values.ToList());
        s.Steps.Add(new Traces.FdReadStep(k, s.Pick(new[] { 40, 80 })));
        // Answer the group just read, mostly: cookies count from 1 and are reused once answered.
        if (s.OneIn(3))
            return;
        var response = new byte[8];
        BitConverter.TryWriteBytes(response.AsSpan(0), (uint)s.Random.Next(1, 3));
        BitConverter.TryWriteBytes(response.AsSpan(4), s.OneIn(4) ? 1u : 0u);
        s.Steps.Add(new Traces.FdWriteStep(k, response));
    }

    /// <summary>The fault fd's protocol: reads of records (zero, one, several, odd lengths) and writes of
    /// responses (cookies of groups read or not, codes valid or not, partial and odd-sized writes); a new
    /// fault queue when there is none.</summary>
    private static void FaultResponse(SequenceState s)
    {
        if (s.FaultFds.Count == 0)
        {
            NewFaultQueue(s);
            return;
        }
        int k = s.Pick(s.FaultFds.Values.ToList());
        if (s.OneIn(2))
        {
            s.Steps.Add(new Traces.FdReadStep(k, s.Pick(new[] { 0, 40, 40, 41, 80, 120 })));
            return;
        }
        int count = s.OneIn(4) ? 2 : 1;
        var data = new byte[count * 8];
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(data.AsSpan(i * 8), (uint)s.Random.Next(0, 5));
            BitConverter.TryWriteBytes(data.AsSpan(i * 8 + 4), s.Random.Next(8) switch { < 5 => 0u, < 7 => 1u, _ => 2u });
        }
        s.Steps.Add(new Traces.FdWriteStep(k, s.OneIn(10) ? data[..7] : data));
    }
}
