using System.Text.Json.Nodes;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>Builds a trace in code; every method returns the index of the step it added, so later
/// steps can refer to its output with <see cref="Ref"/>.</summary>
public sealed class TraceBuilder(string name)
{
    private readonly List<TraceStep> _steps = [];

    public int Count => _steps.Count;

    public static string Ref(int step, string field) => $"${step}.{field}";

    public static string Addr(string buffer, ulong offset = 0) => $"@{buffer}+{offset}";

    public int Alloc(string buffer, ulong length) => Add(new AllocStep(buffer, length));

    public int Write(string buffer, ulong offset, byte[] data) => Add(new WriteStep(buffer, offset, data));

    public int Read(string buffer, ulong offset, int length) => Add(new ReadStep(buffer, offset, length));

    public int Open() => Add(new OpenStep());

    public int Close(int fd) => Add(new CloseStep(fd));

    public int Ioctl(string command, JsonObject? arg = null, int fd = 0, byte[]? tail = null) =>
        Add(new IoctlStep(command, fd, arg ?? new JsonObject(), null, tail));

    public int IoctlValue(string command, JsonNode? value, int fd = 0) =>
        Add(new IoctlStep(command, fd, null, value, null));

    /// <summary>IOMMU_IOAS_ALLOC; refer to the id with <c>Ref(step, "out_ioas_id")</c>.</summary>
    public int IoasAlloc(int fd = 0) => Ioctl("IOMMU_IOAS_ALLOC", fd: fd);

    public int MapFixed(int ioasStep, string userVa, ulong length, ulong iova, uint flags = 6) =>
        Ioctl("IOMMU_IOAS_MAP", new JsonObject
        {
            ["flags"] = flags | 1u, ["ioas_id"] = Ref(ioasStep, "out_ioas_id"), ["user_va"] = userVa,
            ["length"] = length, ["iova"] = iova,
        });

    public int Map(int ioasStep, JsonNode userVa, ulong length, uint flags = 6) =>
        Ioctl("IOMMU_IOAS_MAP", new JsonObject
        {
            ["flags"] = flags, ["ioas_id"] = Ref(ioasStep, "out_ioas_id"), ["user_va"] = userVa, ["length"] = length,
        });

    public int Unmap(int ioasStep, JsonNode iova, ulong length) =>
        Ioctl("IOMMU_IOAS_UNMAP", new JsonObject { ["ioas_id"] = Ref(ioasStep, "out_ioas_id"), ["iova"] = iova, ["length"] = length });

    public Trace Build() => new(name, _steps.ToList());

    private int Add(TraceStep step)
    {
        _steps.Add(step);
        return _steps.Count - 1;
    }
}
