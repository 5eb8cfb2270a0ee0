using System.Text.Json.Nodes;

namespace IommuFd.Conformance.Traces.Building;

/// <summary>The one way to write a trace in C# (docs/traces.md, "Writing a trace"): one method per op
/// and per ioctl, each taking the step's label first and returning a handle through which later steps
/// refer to its output, its buffer or its fd. Typed methods write the fields they are given, in the
/// order the repository's traces write them; <see cref="Ioctl"/> and the <c>extra</c> fields write
/// anything else (reserved fields, wrong sizes, tails, odd orders).</summary>
public sealed partial class TraceBuilder(string name, KernelRange? kernels = null)
{
    private readonly List<TraceStep> _steps = [];
    private readonly HashSet<string> _labels = new(StringComparer.Ordinal);
    private int _fds = 1; // fd 0 is /dev/iommu, opened before step 0

    /// <summary>The trace's name (for a catalogue: its path under conformance/traces without <c>.jsonl</c>).</summary>
    public string Name { get; } = name;

    /// <summary>The number of steps so far.</summary>
    public int Count => _steps.Count;

    /// <summary>The trace built so far.</summary>
    public Trace Build() => new(Name, _steps.ToList(), kernels);

    /// <summary><c>alloc</c>: <paramref name="length"/> bytes of zeroed user memory named <paramref name="buffer"/>.</summary>
    public TraceBuffer Alloc(string buffer, ulong length, string? label = null, string? proc = null) =>
        Buffer(buffer, new AllocStep(buffer, length) { Process = proc }, label);

    /// <summary><c>alloc</c> of 2 MiB huge pages (a multiple of 2 MiB).</summary>
    public TraceBuffer AllocHugetlb(string buffer, ulong length, string? label = null) =>
        Buffer(buffer, new AllocStep(buffer, length, Hugetlb: true), label);

    /// <summary><c>alloc</c> of the first <paramref name="length"/> bytes of a file, mapped privately.</summary>
    public TraceBuffer AllocFile(string buffer, ulong length, string path, string? label = null) =>
        Buffer(buffer, new AllocStep(buffer, length, path), label);

    /// <summary><c>alloc</c> of a memfd of <paramref name="length"/> bytes mapped shared: the buffer shows
    /// the file's pages, and <see cref="MemfdBuffer.Fd"/> is its trace fd (for IOMMU_IOAS_MAP_FILE).</summary>
    public MemfdBuffer AllocMemfd(string buffer, ulong length, string? label = null) =>
        new(Buffer(buffer, new AllocStep(buffer, length, Memfd: true), label), new TraceFd(_fds++));

    /// <summary><c>truncate</c>: ftruncate(2) of a trace fd (a memfd) to <paramref name="length"/> bytes.</summary>
    public StepHandle Truncate(string label, TraceFd fd, ulong length) => Add(new TruncateStep(fd.Index, length), label);

    /// <summary><c>protect</c>: mprotect of whole pages of a buffer to "none", "r" or "rw".</summary>
    public StepHandle Protect(TraceBuffer buffer, ulong offset, ulong length, string prot, string? label = null) =>
        Add(new ProtectStep(buffer.Name, offset, length, prot), label);

    /// <summary><c>write</c>: bytes into a buffer.</summary>
    public StepHandle Write(TraceBuffer buffer, ulong offset, byte[] data, string? label = null) =>
        Add(new WriteStep(buffer.Name, offset, data), label);

    /// <summary>Writes one byte 0x5a into each of the first <paramref name="pages"/> 4 KiB pages of a buffer, so
    /// they are real pages (not the shared zero page) before anything pins or looks them up.</summary>
    public void Touch(TraceBuffer buffer, int pages)
    {
        for (int k = 0; k < pages; k++)
            Write(buffer, (ulong)k * 4096, [0x5a]);
    }

    /// <summary><c>read</c>: bytes of a buffer, printed in the result as hex.</summary>
    public StepHandle Read(string label, TraceBuffer buffer, ulong offset, int length) =>
        Add(new ReadStep(buffer.Name, offset, length), label);

    /// <summary><c>open</c>: another <c>/dev/iommu</c> fd, or <paramref name="path"/>.</summary>
    public FdHandle Open(string label, string? path = null)
    {
        StepHandle step = Add(new OpenStep(path), label);
        return new FdHandle(label, step.Index, new TraceFd(_fds++));
    }

    /// <summary><c>close</c> of a trace fd.</summary>
    public StepHandle Close(string label, TraceFd fd) => Add(new CloseStep(fd.Index), label);

    /// <summary><c>fdread</c>: read(2) of up to <paramref name="length"/> bytes from a trace fd.</summary>
    public StepHandle FdRead(string label, TraceFd fd, int length) => Add(new FdReadStep(fd.Index, length), label);

    /// <summary><c>fdwrite</c>: write(2) of bytes to a trace fd.</summary>
    public StepHandle FdWrite(string label, TraceFd fd, byte[] data) => Add(new FdWriteStep(fd.Index, data), label);

    /// <summary><c>spawn</c> of another process sharing the trace's fds.</summary>
    public StepHandle Spawn(string label, string proc) => Add(new SpawnStep(proc), label);

    /// <summary><c>exit</c> of another process.</summary>
    public StepHandle Exit(string label, string proc) => Add(new ExitStep(proc), label);

    /// <summary>Any ioctl with a struct argument, its fields as given (the escape hatch for what no typed
    /// method writes). <paramref name="command"/> is the C macro name, <c>nameof(Iommufd.IOMMU_...)</c>,
    /// or a raw request number <c>"0x3B7F"</c>.</summary>
    public StepHandle Ioctl(string label, string command, Args arg, TraceFd fd = default, byte[]? tail = null, string? proc = null) =>
        AddIoctl(label, command, arg.ToJson(), null, fd, tail, proc);

    /// <summary>An ioctl whose argument is an integer or a pointer (<c>"value"</c>).</summary>
    public StepHandle IoctlValue(string label, string command, TraceValue value, TraceFd fd = default) =>
        AddIoctl(label, command, null, value.ToJson(), fd, null, null);

    /// <summary>An ioctl without argument.</summary>
    public StepHandle IoctlNoArg(string label, string command, TraceFd fd = default) =>
        AddIoctl(label, command, null, null, fd, null, null);

    private StepHandle AddIoctl(string label, string command, JsonObject? arg, JsonNode? value, TraceFd fd, byte[]? tail, string? proc)
    {
        var step = new IoctlStep(command, fd.Index, arg, value, tail) { Process = proc };
        StepHandle added = Add(step, label);
        if (FdCreatingIoctls.CreatedFdField(step) is not null)
            return new FdHandle(label, added.Index, new TraceFd(_fds++));
        return added;
    }

    private TraceBuffer Buffer(string name, AllocStep step, string? label) => new(name, Add(step, label));

    private StepHandle Add(TraceStep step, string? label)
    {
        if (label is not null && !_labels.Add(label))
            throw new ArgumentException($"trace '{Name}': label '{label}' is used twice (labels are unique within a trace)", nameof(label));
        _steps.Add(step with { Label = label });
        return new StepHandle(label, _steps.Count - 1);
    }
}
