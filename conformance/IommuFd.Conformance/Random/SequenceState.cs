using System.Text.Json.Nodes;
using IommuFd.Conformance.Traces;
using IommuFd.Engine;

namespace IommuFd.Conformance.Random;

/// <summary>An object a device-aware sequence created (or tried to): its kind (<see cref="SequenceState"/>'s
/// constants, or a family's own), the fd it lives on, its ID as a <c>"$N.field"</c> reference, and the
/// object it belongs to (an HWPT's IOAS, a device's selftest object), so destroys can be predicted;
/// <paramref name="HoldsOwner"/>: whether it keeps its owner alive (DESTROY of the owner is EBUSY).</summary>
internal sealed record TrackedObject(string Kind, int Fd, JsonNode Id, TrackedObject? Owner = null, bool HoldsOwner = true);

/// <summary>A mapped IOVA range a sequence created: its IOAS, IOVA (number or reference), length and the
/// user memory behind it (<c>@Buffer+Offset</c>).</summary>
internal sealed record TrackedArea(int Fd, JsonNode Ioas, JsonNode Iova, ulong Length, string Buffer, ulong Offset);

/// <summary>An access object (IOMMU_TEST_OP_CREATE_ACCESS): its trace fd, the iommufd fd it was created on
/// (its IOAS IDs are of that context), whether it pins pages, and the marker object that keeps its IOAS
/// busy (owned by the IOAS; replaced on ACCESS_REPLACE_IOAS).</summary>
internal sealed class TrackedAccess(int fd, int context, bool pins, TrackedObject marker)
{
    public int Fd { get; } = fd;
    public int Context { get; } = context;
    public bool Pins { get; } = pins;
    public TrackedObject Marker { get; set; } = marker;
}

/// <summary>A pin of an access (ACCESS_PAGES): its ID reference, the area it is in and the pinned range.</summary>
internal sealed record TrackedPin(TrackedAccess Access, JsonNode Id, TrackedArea? Area, string Buffer, ulong Offset, ulong Length);

/// <summary>What a <see cref="SequenceGenerator"/> knows while it writes one trace: its scope and kernel, the steps so far,
/// the fds, the objects and areas created (optimistically: a call is assumed to succeed when it was
/// meant to be valid; a wrong guess only makes a later call fail, on both backends alike), and helpers
/// that pick mostly live and sometimes stale or made-up values. Families add steps through it.</summary>
internal sealed class SequenceState(System.Random random, SequenceScope scope, KernelRelease kernel)
{
    public const ulong Page = 4096;
    public const ulong IoPage = 2048;                 // the mock domain's IO page (PAGE_SIZE / 2)
    public const ulong ApertureStart = 1UL << 24;     // MOCK_APERTURE_START
    public const ulong ApertureLast = (1UL << 31) - 1; // MOCK_APERTURE_LAST

    public const string Ioas = "ioas";
    public const string Hwpt = "hwpt";           // IOMMU_HWPT_ALLOC
    public const string AutoHwpt = "auto-hwpt";  // the automatic HWPT of an attach to an IOAS
    public const string Selftest = "stdev";      // the selftest object of MOCK_DOMAIN (destroying it detaches and unbinds)
    public const string Device = "idev";         // the bound mock device (owned by its selftest object)
    public const string Nested = "nested";       // a nested HWPT (selftest data), owned by its parent
    public const string Fault = "fault";         // a fault queue (IOMMU_FAULT_QUEUE_ALLOC)
    public const string Viommu = "viommu";       // a vIOMMU (7.3), owned by its nesting parent
    public const string Vdevice = "vdevice";     // a vDEVICE (7.3), owned by its vIOMMU
    public const string Veventq = "veventq";     // a vEVENT queue (7.3), owned by its vIOMMU
    public const string AccessUser = "access";  // marks an IOAS an access is on (holds it; never destroyed itself)

    public const uint HwptNestParent = 1, HwptDirtyTracking = 2, HwptFaultIdValid = 4;

    /// <summary>The user buffers (all pages touched at the start: pins and MD_CHECK_REFS need real pages, not
    /// the shared zero page) and the scratch buffer <c>r</c> for ranges and hw info (never mapped).</summary>
    public static readonly (string Name, ulong Length)[] Buffers = [("a", 16 * Page), ("b", 8 * Page)];
    public const string Scratch = "r";

    /// <summary>The data buffer <c>x</c> (never mapped): ACCESS_RW data, dirty bitmaps, nested HWPT data and
    /// invalidation entries, each in its own part (<see cref="RwData"/> ...).</summary>
    public const string Data = "x";
    public const ulong DataLength = 8 * Page;
    public const ulong RwData = 0, Bitmap = 2 * Page, HwptData = 6 * Page, Entries = 7 * Page;

    public System.Random Random { get; } = random;

    /// <summary>The modelled kernel the sequence is written for.</summary>
    public KernelRelease Kernel { get; } = kernel;

    /// <summary>True when the sequence may use mock devices and IOMMU_TEST_CMD (<see cref="SequenceScope.MockDevices"/>).</summary>
    public bool Devices { get; } = scope == SequenceScope.MockDevices;

    /// <summary>MOCK_FLAGS_DEVICE_HUGE_IOVA: the mock domain's 1 MiB IO pages.</summary>
    public const uint DeviceHugeIova = 2;

    /// <summary>The kernels with <see cref="DeviceHugeIova"/> (7.3 removed it).</summary>
    public static KernelRange WithHugeIova { get; } = new(null, new KernelRelease(7, 3, 0));

    /// <summary>The kernels with vIOMMU objects (IOMMU_VIOMMU_ALLOC and what hangs off it).</summary>
    public static KernelRange FromViommu { get; } = new(new KernelRelease(7, 3, 0), null);

    /// <summary>The kernels with IOMMU_IOAS_MAP_FILE and IOMMU_IOAS_CHANGE_PROCESS (from 7.3).</summary>
    public static KernelRange WithFileMappings { get; } = new(new KernelRelease(7, 3, 0), null);

    /// <summary><see cref="DeviceHugeIova"/> where the kernel has it, else 0.</summary>
    public uint HugeIovaFlag => WithHugeIova.Applies(Kernel) ? DeviceHugeIova : 0;

    /// <summary>The lowest MOCK_FLAGS_DEVICE_* bit the kernel does not know: 2 (6.12: NO_DIRTY, HUGE_IOVA),
    /// 3 from 7.3 (NO_DIRTY, PASID at bit 2).</summary>
    public int FirstUnknownDeviceFlag => Kernel.AtLeast(7, 3) ? 3 : 2;
    /// <summary>The hugetlb buffer of the HugeDirty family (2 MiB of MAP_HUGETLB memory), allocated once.</summary>
    public const string Huge = "h";
    public const ulong HugeLength = 2UL << 20;

    /// <summary>True once the sequence has allocated <see cref="Huge"/>.</summary>
    public bool HugeAllocated { get; set; }

    /// <summary>The memfd buffer of the MapFile family (16 pages, the file's pages shown by a shared mapping).</summary>
    public const string MemfdBuffer = "m";
    public const ulong MemfdLength = 16 * Page;
    private int? _memfd;

    /// <summary>The length of a buffer areas are mapped from: one of <see cref="Buffers"/>, or the memfd buffer.</summary>
    public static ulong LengthOf(string buffer) =>
        buffer == MemfdBuffer ? MemfdLength : Buffers.Single(b => b.Name == buffer).Length;

    /// <summary>The trace fd of <see cref="MemfdBuffer"/>'s memfd, allocated (each page written once, so
    /// checks through the mapping find the file's pages) the first time it is asked for.</summary>
    public int Memfd()
    {
        if (_memfd is { } fd)
            return fd;
        Steps.Add(new AllocStep(MemfdBuffer, MemfdLength, Memfd: true));
        _memfd = CreatesFd();
        for (ulong offset = 0; offset < MemfdLength; offset += Page)
            Steps.Add(new WriteStep(MemfdBuffer, offset, [0x5a]));
        return _memfd.Value;
    }

    public List<TraceStep> Steps { get; } = [];
    public List<TrackedObject> Objects { get; } = [];
    public List<TrackedArea> Areas { get; } = [];
    public List<int> OpenFds { get; } = [0];
    private int _opened = 1;

    /// <summary>The HWPT_ALLOC flags of allocated HWPTs (nest parent, dirty tracking).</summary>
    public Dictionary<TrackedObject, uint> HwptFlags { get; } = [];
    public List<TrackedAccess> Accesses { get; } = [];
    public List<TrackedPin> Pins { get; } = [];
    /// <summary>The trace fd of each fault queue, while it is open.</summary>
    public Dictionary<TrackedObject, int> FaultFds { get; } = [];
    /// <summary>The trace fd of each vEVENT queue, while it is open.</summary>
    public Dictionary<TrackedObject, int> VeventqFds { get; } = [];
    /// <summary>The fault queue an IOPF-capable nested HWPT reports to.</summary>
    public Dictionary<TrackedObject, TrackedObject> FaultOf { get; } = [];
    /// <summary>The IOTLB value a nested HWPT was allocated with.</summary>
    public Dictionary<TrackedObject, uint> Iotlb { get; } = [];
    /// <summary>Devices whose MOCK_DOMAIN was surely valid (a tracked IOAS or HWPT, known flags).</summary>
    public HashSet<TrackedObject> Sure { get; } = [];
    /// <summary>Dirty-tracking HWPTs whose tracking was switched on.</summary>
    public HashSet<TrackedObject> Tracking { get; } = [];

    /// <summary>An ioctl step that creates an fd (CREATE_ACCESS, FAULT_QUEUE_ALLOC) takes the next fd index
    /// whether or not it succeeds (the trace format's fd scheme); returns it.</summary>
    public int CreatesFd() => _opened++;

    /// <summary>Closes an fd an ioctl created (an access or a fault queue).</summary>
    public void CloseCreated(int fd) => Steps.Add(new CloseStep(fd));

    /// <summary>Live HWPTs allocated with all of <paramref name="flags"/>.</summary>
    public List<TrackedObject> HwptsWith(uint flags) =>
        Of(Hwpt).Where(h => HwptFlags.TryGetValue(h, out uint f) && (f & flags) == flags).ToList();

    /// <summary>The areas of an IOAS (on its fd).</summary>
    public List<TrackedArea> AreasOf(TrackedObject? ioas) =>
        ioas is null ? [] : Areas.Where(a => a.Fd == ioas.Fd && Same(a.Ioas, ioas.Id)).ToList();

    /// <summary>True with probability 1/<paramref name="n"/>.</summary>
    public bool OneIn(int n) => Random.Next(n) == 0;

    public T Pick<T>(IReadOnlyList<T> list) => list[Random.Next(list.Count)];

    public int Fd() => Pick(OpenFds);

    /// <summary>Adds an ioctl step; returns its index (for <see cref="Ref"/>).</summary>
    public int Add(string command, JsonObject? arg, int fd = 0, byte[]? tail = null, JsonNode? value = null)
    {
        Steps.Add(new IoctlStep(command, fd, arg, value, tail));
        return Steps.Count - 1;
    }

    /// <summary>An IOMMU_TEST_CMD step of <paramref name="op"/>; <paramref name="union"/> names the union member.</summary>
    public int TestCmd(int fd, uint op, JsonNode? id, string? union = null, JsonObject? member = null)
    {
        var arg = new JsonObject { ["op"] = op };
        if (id is not null)
            arg["id"] = id;
        if (union is not null)
            arg[union] = member;
        return Add("IOMMU_TEST_CMD", arg, fd);
    }

    public static JsonNode Ref(int step, string field) => JsonValue.Create($"${step}.{field}");

    /// <summary>A small ID that may or may not name an object (of any type).</summary>
    public JsonNode MadeUpId() => JsonValue.Create((uint)(OneIn(6) ? Random.Next(100, 1000) : Random.Next(0, 12)));

    public TrackedObject Track(string kind, int fd, JsonNode id, TrackedObject? owner = null, bool holdsOwner = true)
    {
        var tracked = new TrackedObject(kind, fd, id, owner, holdsOwner);
        Objects.Add(tracked);
        return tracked;
    }

    public List<TrackedObject> Of(params string[] kinds) => Objects.Where(o => kinds.Contains(o.Kind)).ToList();

    /// <summary>A live object of one of <paramref name="kinds"/>, or null (none, or one time in
    /// <paramref name="staleOneIn"/> to let the caller use a made-up ID).</summary>
    public TrackedObject? Live(int staleOneIn, params string[] kinds)
    {
        List<TrackedObject> live = Of(kinds);
        return live.Count == 0 || OneIn(staleOneIn) ? null : Pick(live);
    }

    /// <summary>The ID of a live object of <paramref name="kinds"/> and its fd, else a made-up ID on some fd.</summary>
    public (int Fd, JsonNode Id, TrackedObject? Object) IdOf(int staleOneIn, params string[] kinds)
    {
        TrackedObject? picked = Live(staleOneIn, kinds);
        return picked is null ? (Fd(), MadeUpId(), null) : (picked.Fd, picked.Id.DeepClone(), picked);
    }

    /// <summary>Objects of the same fd among <paramref name="kinds"/> (IDs are per fd).</summary>
    public List<TrackedObject> OnFd(int fd, params string[] kinds) => Of(kinds).Where(o => o.Fd == fd).ToList();

    /// <summary>Forgets an object that was destroyed, with what it owned and the areas of an IOAS.</summary>
    public void Forget(TrackedObject gone)
    {
        foreach (TrackedObject owned in Objects.Where(o => o.Owner == gone).ToList())
            Forget(owned);
        Objects.Remove(gone);
        if (gone.Kind == Ioas)
            Areas.RemoveAll(a => a.Fd == gone.Fd && Same(a.Ioas, gone.Id));
    }

    /// <summary>True when some tracked object is held by <paramref name="o"/> (DESTROY would be EBUSY).</summary>
    public bool Holds(TrackedObject o) => Objects.Any(x => x.Owner == o && x.HoldsOwner);

    public static bool Same(JsonNode a, JsonNode b) => a.ToJsonString() == b.ToJsonString();

    /// <summary>Opens a new fd (numbered by opening order, as the trace format does).</summary>
    public int Open()
    {
        Steps.Add(new OpenStep());
        OpenFds.Add(_opened);
        return _opened++;
    }

    /// <summary>Closes a non-zero fd: every object and area of it is gone.</summary>
    public void Close(int fd)
    {
        Steps.Add(new CloseStep(fd));
        OpenFds.Remove(fd);
        Objects.RemoveAll(o => o.Fd == fd);
        Areas.RemoveAll(a => a.Fd == fd);
    }

    /// <summary>A length: mostly whole pages, sometimes IO pages, any bytes, large or zero.</summary>
    public ulong Length() => Random.Next(12) switch
    {
        0 => (ulong)Random.Next(1, 8192),
        1 => IoPage * (ulong)Random.Next(1, 9),
        2 => 0,
        _ => Page * (ulong)Random.Next(1, 9),
    };

    /// <summary>A place in a user buffer for <paramref name="length"/> bytes: page aligned mostly, else IO-page
    /// aligned or any byte.</summary>
    public (string Buffer, ulong Offset) UserAddress(ulong length)
    {
        (string name, ulong size) = Pick(Buffers);
        ulong room = length < size ? size - length : 0;
        ulong offset = Random.Next(8) switch
        {
            0 => (ulong)Random.NextInt64(0, (long)room + 1),
            1 => IoPage * (ulong)Random.NextInt64(0, (long)(room / IoPage) + 1),
            _ => Page * (ulong)Random.NextInt64(0, (long)(room / Page) + 1),
        };
        return (name, Math.Min(offset, size));
    }

    /// <summary>A fixed IOVA: mostly inside the mock aperture (page or IO-page aligned), sometimes an existing
    /// area's (a clash), below the aperture, at its end, or at the top of the address space.</summary>
    public JsonNode FixedIova(ulong length)
    {
        if (Areas.Count > 0 && OneIn(5))
            return Pick(Areas).Iova.DeepClone();
        return Random.Next(10) switch
        {
            0 => JsonValue.Create(Page * (ulong)Random.Next(0, 64)),
            1 => JsonValue.Create(ApertureLast + 1 - Page * (ulong)Random.Next(0, 3)),
            2 => JsonValue.Create(ulong.MaxValue - length + 1),
            3 => JsonValue.Create(ApertureStart + IoPage * (ulong)Random.Next(0, 256)),
            _ => JsonValue.Create(ApertureStart + Page * (ulong)Random.Next(0, 256)),
        };
    }

    /// <summary>IOAS_MAP/COPY flags: mostly READ|WRITE, sometimes one of them, none, or an unknown bit.</summary>
    public uint MapFlags() => Random.Next(20) switch
    {
        0 => 0,
        1 => 1u << Random.Next(3, 32),
        2 => 4,
        3 => 2,
        _ => 6,
    };

    /// <summary>Writes <paramref name="data"/> into the scratch buffer (for ALLOW_IOVAS).</summary>
    public void WriteScratch(byte[] data) => Steps.Add(new WriteStep(Scratch, 0, data));

    /// <summary>Reads back the scratch buffer, so what the kernel wrote there is compared.</summary>
    public void ReadScratch(int length) => Steps.Add(new ReadStep(Scratch, 0, length));
}
