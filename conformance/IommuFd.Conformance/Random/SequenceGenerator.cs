using IommuFd.Conformance.Traces;
using IommuFd.Engine;
using static IommuFd.Conformance.Random.SequenceScope;

namespace IommuFd.Conformance.Random;

/// <summary>Random, state-aware ioctl sequences for differential testing, from one table of families. Mostly
/// valid calls built from the IDs, areas and buffers created so far (<c>"$N.field"</c>), some malformed (bad
/// flags, reserved fields, wrong sizes, stale IDs, overlaps), over several fds. The
/// <see cref="SequenceScope"/> picks the families the machine can run: <see cref="NoDevices"/> the IOAS,
/// OPTION, DESTROY and VFIO compat ioctls any kernel with /dev/iommu has; <see cref="MockDevices"/> also mock
/// devices and domains (MOCK_DOMAIN(_FLAGS), MOCK_DOMAIN_REPLACE), paging and nested HWPTs, GET_HW_INFO,
/// maps checked by MD_CHECK_MAP and MD_CHECK_REFS, ADD_RESERVED, accesses, dirty tracking, fault queues and
/// (7.3) vIOMMUs with their vDEVICEs and vEVENT queues.
/// Families and flags the modelled kernel lacks are left out. Equal seed, kernel and scope give equal
/// traces.</summary>
/// <remarks>A family is one method <c>static void F(SequenceState s)</c> (in a
/// <c>SequenceGenerator.*.cs</c> file) that appends a few steps, and one line in <see cref="Families"/> with
/// its weight, the scope it needs and, where only some kernels have what it calls, their range. Objects of
/// new kinds are tracked with <see cref="SequenceState.Track"/> under a kind name of the family's own.
/// Adding or reweighting a family changes the sequences every seed gives (GeneratorSeedTests pins them).</remarks>
public sealed partial class SequenceGenerator : ISequenceGenerator
{
    /// <summary>One family: its weight (its share of calls is weight / the total of the families in use), the
    /// scope it needs, and the kernels that have what it calls (null: all).</summary>
    private sealed record Family(int Weight, string Name, Action<SequenceState> Emit, SequenceScope Needs = MockDevices)
    {
        public KernelRange? Kernels { get; init; }
    }

    /// <summary>Every family, in the order the weighted pick walks them.</summary>
    private static readonly Family[] Families =
    [
        new(4, nameof(IoasAlloc), IoasAlloc, NoDevices),
        new(10, nameof(MockDomain), MockDomain),
        new(6, nameof(Replace), Replace),
        new(6, nameof(HwptAlloc), HwptAlloc),
        new(3, nameof(GetHwInfo), GetHwInfo),
        new(7, nameof(Destroy), Destroy, NoDevices),
        new(14, nameof(Map), Map, NoDevices),
        new(8, nameof(Unmap), Unmap, NoDevices),
        new(5, nameof(Copy), Copy, NoDevices),
        new(6, nameof(CheckMap), CheckMap),
        new(5, nameof(CheckRefs), CheckRefs),
        new(3, nameof(AddReserved), AddReserved),
        new(3, nameof(IovaRanges), IovaRanges, NoDevices),
        new(3, nameof(AllowIovas), AllowIovas, NoDevices),
        new(3, nameof(Option), Option, NoDevices),
        new(4, nameof(VfioCompat), VfioCompat, NoDevices),
        new(3, nameof(WrongSize), WrongSize, NoDevices),
        new(2, nameof(TestCmdOddities), TestCmdOddities),
        new(2, nameof(OpenOrClose), OpenOrClose, NoDevices),
        new(4, nameof(CreateAccess), CreateAccess),
        new(5, nameof(AccessPages), AccessPages),
        new(5, nameof(AccessRw), AccessRw),
        new(2, nameof(AccessReplaceIoas), AccessReplaceIoas),
        new(1, nameof(MemoryLimit), MemoryLimit),
        new(4, nameof(NestedAlloc), NestedAlloc),
        new(4, nameof(Invalidate), Invalidate),
        new(3, nameof(CheckIotlb), CheckIotlb),
        new(3, nameof(DirtyTracking), DirtyTracking),
        new(4, nameof(MarkDirty), MarkDirty),
        new(4, nameof(GetDirtyBitmap), GetDirtyBitmap),
        new(2, nameof(HugeDirty), HugeDirty) { Kernels = SequenceState.WithHugeIova },
        new(3, nameof(FaultQueue), FaultQueue),
        new(4, nameof(TriggerIopf), TriggerIopf),
        new(3, nameof(FaultResponse), FaultResponse),
        new(6, nameof(MapFile), MapFile, NoDevices) { Kernels = SequenceState.WithFileMappings },
        new(2, nameof(ChangeProcess), ChangeProcess, NoDevices) { Kernels = SequenceState.WithFileMappings },
        new(10, nameof(Viommu), Viommu) { Kernels = SequenceState.FromViommu },
    ];

    private readonly Family[] _families;
    private readonly int _totalWeight;
    private readonly System.Random _random;
    private int _traces;

    /// <summary>Creates a generator for the machine of <paramref name="scope"/> running
    /// <paramref name="kernel"/> (the engine's release; its model decides what the kernel has).</summary>
    public SequenceGenerator(int seed, KernelRelease kernel, SequenceScope scope)
    {
        Seed = seed;
        Kernel = kernel.Model;
        Scope = scope;
        _families = [.. Families.Where(f => (scope == MockDevices || f.Needs == NoDevices) && (f.Kernels?.Applies(Kernel) ?? true))];
        _totalWeight = _families.Sum(f => f.Weight);
        _random = new System.Random(seed);
    }

    /// <inheritdoc />
    public int Seed { get; }

    /// <summary>The modelled release the sequences are written for.</summary>
    public KernelRelease Kernel { get; }

    /// <summary>Which calls the sequences make.</summary>
    public SequenceScope Scope { get; }

    /// <summary>The names of the families in use, for tests and docs.</summary>
    public IReadOnlyList<string> FamilyNames => [.. _families.Select(f => f.Name)];

    /// <summary>The next trace: the set-up (buffers, an IOAS, with devices usually a mock device on it) and
    /// then random calls until it has at least <paramref name="steps"/> more steps. Named
    /// <c>random-SEED-K</c>, with devices <c>device-random-SEED-K</c>.</summary>
    public Trace Next(int steps)
    {
        var state = new SequenceState(_random, Scope, Kernel);
        Begin(state);
        int end = state.Steps.Count + steps;
        while (state.Steps.Count < end)
            Pick().Emit(state);
        return new Trace($"{(Scope == MockDevices ? "device-" : "")}random-{Seed}-{_traces++}", state.Steps);
    }

    private Family Pick()
    {
        int roll = _random.Next(_totalWeight);
        foreach (Family family in _families)
        {
            if (roll < family.Weight)
                return family;
            roll -= family.Weight;
        }
        throw new InvalidOperationException("unreachable: the roll is below the total weight");
    }

    private static void Begin(SequenceState s)
    {
        foreach ((string name, ulong length) in SequenceState.Buffers)
        {
            s.Steps.Add(new AllocStep(name, length));
            // A page never written is the shared zero page: a read-only pin does not count on it and a
            // later write would move the mapping. Where devices and accesses pin, touch each page once,
            // before any ioctl (without them nothing is pinned).
            for (ulong offset = 0; s.Devices && offset < length; offset += SequenceState.Page)
                s.Steps.Add(new WriteStep(name, offset, [0x5a]));
        }
        s.Steps.Add(new AllocStep(SequenceState.Scratch, SequenceState.Page));
        if (s.Devices)
            s.Steps.Add(new AllocStep(SequenceState.Data, SequenceState.DataLength));
        IoasAlloc(s, valid: true, fd: 0);
        if (s.Devices && !s.OneIn(4))
            MockDomain(s);
    }
}
