using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Random;

/// <summary>Random, state-aware sequences over every op the engine models with devices: mock devices and
/// domains (IOMMU_TEST_CMD MOCK_DOMAIN, MOCK_DOMAIN_FLAGS, MOCK_DOMAIN_REPLACE), paging HWPTs
/// (IOMMU_HWPT_ALLOC), IOMMU_GET_HW_INFO, DESTROY of anything in any order, maps/unmaps/copies with
/// domains attached checked by MD_CHECK_MAP and MD_CHECK_REFS, ADD_RESERVED, IOVA_RANGES, ALLOW_IOVAS,
/// OPTION, the VFIO compat ioctls, wrong sizes, over several fds. Mostly valid calls built from the IDs
/// created so far (<c>"$N.field"</c>), some malformed. Needs a machine where the mock IOMMU owns the mock
/// devices (the kernel tier's virtio-iommu VM); equal seeds give equal traces.</summary>
/// <remarks>A family is one method <c>static void F(DeviceSequenceState s)</c> (in a
/// <c>DeviceSequenceGenerator.*.cs</c> file) that appends a few steps, and one line in
/// <see cref="Families"/> with its weight. Objects of new kinds are tracked with
/// <see cref="DeviceSequenceState.Track"/> under a kind name of the family's own.</remarks>
public sealed partial class DeviceSequenceGenerator : ISequenceGenerator
{
    /// <summary>Each family and its weight (its share of calls is weight / total).</summary>
    private static readonly (int Weight, string Name, Action<DeviceSequenceState> Emit)[] Families =
    [
        (4, nameof(IoasAlloc), IoasAlloc),
        (10, nameof(MockDomain), MockDomain),
        (6, nameof(Replace), Replace),
        (6, nameof(HwptAlloc), HwptAlloc),
        (3, nameof(GetHwInfo), GetHwInfo),
        (7, nameof(Destroy), Destroy),
        (14, nameof(Map), Map),
        (8, nameof(Unmap), Unmap),
        (5, nameof(Copy), Copy),
        (6, nameof(CheckMap), CheckMap),
        (5, nameof(CheckRefs), CheckRefs),
        (3, nameof(AddReserved), AddReserved),
        (3, nameof(IovaRanges), IovaRanges),
        (3, nameof(AllowIovas), AllowIovas),
        (3, nameof(Option), Option),
        (4, nameof(VfioCompat), VfioCompat),
        (3, nameof(WrongSize), WrongSize),
        (2, nameof(TestCmdOddities), TestCmdOddities),
        (2, nameof(OpenOrClose), OpenOrClose),
        (4, nameof(CreateAccess), CreateAccess),
        (5, nameof(AccessPages), AccessPages),
        (5, nameof(AccessRw), AccessRw),
        (2, nameof(AccessReplaceIoas), AccessReplaceIoas),
        (1, nameof(MemoryLimit), MemoryLimit),
        (4, nameof(NestedAlloc), NestedAlloc),
        (4, nameof(Invalidate), Invalidate),
        (3, nameof(CheckIotlb), CheckIotlb),
        (3, nameof(DirtyTracking), DirtyTracking),
        (4, nameof(MarkDirty), MarkDirty),
        (4, nameof(GetDirtyBitmap), GetDirtyBitmap),
        (2, nameof(HugeDirty), HugeDirty),
        (3, nameof(FaultQueue), FaultQueue),
        (4, nameof(TriggerIopf), TriggerIopf),
        (3, nameof(FaultResponse), FaultResponse),
    ];

    private static readonly int TotalWeight = Families.Sum(f => f.Weight);
    private readonly System.Random _random;
    private int _traces;

    /// <summary>Creates a generator; equal seeds give equal sequences.</summary>
    public DeviceSequenceGenerator(int seed)
    {
        Seed = seed;
        _random = new System.Random(seed);
    }

    /// <inheritdoc />
    public int Seed { get; }

    /// <summary>The family names, for tests and docs.</summary>
    public static IReadOnlyList<string> FamilyNames => Families.Select(f => f.Name).ToList();

    /// <summary>The next trace: the set-up (buffers with every page touched, an IOAS, usually a mock device
    /// on it) and then random calls until it has at least <paramref name="steps"/> more steps. Named
    /// <c>device-random-SEED-K</c>.</summary>
    public Trace Next(int steps)
    {
        var state = new DeviceSequenceState(_random);
        Begin(state);
        int end = state.Steps.Count + steps;
        while (state.Steps.Count < end)
            Pick().Emit(state);
        return new Trace($"device-random-{Seed}-{_traces++}", state.Steps);
    }

    private (int Weight, string Name, Action<DeviceSequenceState> Emit) Pick()
    {
        int roll = _random.Next(TotalWeight);
        foreach (var family in Families)
        {
            if (roll < family.Weight)
                return family;
            roll -= family.Weight;
        }
        throw new InvalidOperationException("unreachable: the roll is below the total weight");
    }

    private static void Begin(DeviceSequenceState s)
    {
        foreach ((string name, ulong length) in DeviceSequenceState.Buffers)
        {
            s.Steps.Add(new AllocStep(name, length));
            // A page never written is the shared zero page: a read-only pin does not count on it and a
            // later write would move the mapping. Touch each page once, before any ioctl.
            for (ulong offset = 0; offset < length; offset += DeviceSequenceState.Page)
                s.Steps.Add(new WriteStep(name, offset, [0x5a]));
        }
        s.Steps.Add(new AllocStep(DeviceSequenceState.Scratch, DeviceSequenceState.Page));
        s.Steps.Add(new AllocStep(DeviceSequenceState.Data, DeviceSequenceState.DataLength));
        IoasAlloc(s, valid: true, fd: 0);
        if (!s.OneIn(4))
            MockDomain(s);
    }
}
