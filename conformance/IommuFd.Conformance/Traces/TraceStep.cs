using System.Text.Json.Nodes;

namespace IommuFd.Conformance.Traces;

/// <summary>One line of a trace. Steps are numbered from 0 by line; <see cref="Line"/> is the
/// 1-based line of the file it came from (0 for steps built in code).</summary>
public abstract record TraceStep
{
    /// <summary>1-based source line, or 0 when the step was built in code.</summary>
    public int Line { get; init; }

    /// <summary>The step's name, unique within its trace, by which tests look up its result
    /// (<c>"label"</c>, written right after <c>"op"</c>); null for a step nobody refers to.</summary>
    public string? Label { get; init; }

    /// <summary>The step as its JSON line (the canonical form written to trace files).</summary>
    public JsonObject ToJson()
    {
        JsonObject json = Fields();
        if (Label is not null)
            json.Insert(1, "label", Label);
        return json;
    }

    /// <summary>The step's own keys, <c>"op"</c> first.</summary>
    protected abstract JsonObject Fields();

    /// <summary>The step as one line of JSON.</summary>
    public sealed override string ToString() => ToJsonLine();

    /// <summary>The step as one line of JSON (records would otherwise print their properties).</summary>
    public string ToJsonLine() => ToJson().ToJsonString(Json.Compact);
}

/// <summary><c>{"op":"alloc","buf":"a","length":N}</c>: user memory, readable and writable; with
/// <c>"file":PATH</c> the first N bytes of that file (opened read-only) mapped MAP_PRIVATE, readable and
/// writable copy-on-write, as the selftest's ro_unshare maps /proc/self/exe; with <c>"proc":"p"</c> in
/// the memory of the other process p; with <c>"hugetlb":true</c> 2 MiB huge pages (MAP_SHARED |
/// MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, N a multiple of 2 MiB), as the selftests' hugepage
/// variants map them; with <c>"memfd":true</c> a memfd of N bytes (memfd_create, ftruncate) mapped
/// MAP_SHARED, whose fd takes the next trace fd index (what IOMMU_IOAS_MAP_FILE maps, as the selftests'
/// memfd_mmap buffers).</summary>
/// <param name="Buffer">The buffer's name.</param>
/// <param name="Length">Its length in bytes.</param>
/// <param name="File">The file to map privately, or null for anonymous memory.</param>
/// <param name="Hugetlb">2 MiB huge pages instead of ordinary anonymous memory.</param>
/// <param name="Memfd">A memfd mapped shared, its fd a trace fd.</param>
public sealed record AllocStep(string Buffer, ulong Length, string? File = null, bool Hugetlb = false, bool Memfd = false) : TraceStep
{
    /// <summary>The huge page size of a hugetlb buffer.</summary>
    public const ulong HugePageSize = 2UL << 20;

    /// <summary>The other process whose memory holds the buffer, or null for the replaying process.</summary>
    public string? Process { get; init; }

    /// <inheritdoc />
    protected override JsonObject Fields()
    {
        var json = new JsonObject { ["op"] = "alloc", ["buf"] = Buffer, ["length"] = Length };
        if (File is not null)
            json["file"] = File;
        if (Hugetlb)
            json["hugetlb"] = true;
        if (Memfd)
            json["memfd"] = true;
        if (Process is not null)
            json["proc"] = Process;
        return json;
    }
}

/// <summary><c>{"op":"protect","buf":"a","offset":OFF,"length":N,"prot":"none"|"r"|"rw"}</c>: mprotect of
/// whole pages of a buffer. "none" stands for memory that is gone (get_user_pages faults on it as on an
/// unmapped range) while keeping the addresses reserved, so nothing else can be mapped there.</summary>
public sealed record ProtectStep(string Buffer, ulong Offset, ulong Length, string Prot) : TraceStep
{
    /// <summary>The values <see cref="Prot"/> may take.</summary>
    public static readonly IReadOnlyList<string> Protections = ["none", "r", "rw"];

    /// <inheritdoc />
    protected override JsonObject Fields() =>
        new() { ["op"] = "protect", ["buf"] = Buffer, ["offset"] = Offset, ["length"] = Length, ["prot"] = Prot };
}

/// <summary><c>{"op":"write","buf":"a","offset":OFF,"hex":"..."}</c>: fills user memory.</summary>
public sealed record WriteStep(string Buffer, ulong Offset, byte[] Data) : TraceStep
{
    /// <inheritdoc />
    protected override JsonObject Fields() =>
        new() { ["op"] = "write", ["buf"] = Buffer, ["offset"] = Offset, ["hex"] = Convert.ToHexStringLower(Data) };
}

/// <summary><c>{"op":"read","buf":"a","offset":OFF,"length":N}</c>: prints user memory as hex.</summary>
public sealed record ReadStep(string Buffer, ulong Offset, int Length) : TraceStep
{
    /// <inheritdoc />
    protected override JsonObject Fields() =>
        new() { ["op"] = "read", ["buf"] = Buffer, ["offset"] = Offset, ["length"] = Length };
}

/// <summary><c>{"op":"open"}</c>: opens another <c>/dev/iommu</c> fd (or <see cref="Path"/>).</summary>
public sealed record OpenStep(string? Path = null) : TraceStep
{
    /// <inheritdoc />
    protected override JsonObject Fields()
    {
        var json = new JsonObject { ["op"] = "open" };
        if (Path is not null)
            json["path"] = Path;
        return json;
    }
}

/// <summary><c>{"op":"truncate","fd":K,"length":N}</c>: ftruncate(2) of trace fd K (a memfd) to N bytes.</summary>
public sealed record TruncateStep(int Fd, ulong Length) : TraceStep
{
    /// <inheritdoc />
    protected override JsonObject Fields() => new() { ["op"] = "truncate", ["fd"] = Fd, ["length"] = Length };
}

/// <summary><c>{"op":"close","fd":K}</c>: closes the K-th opened fd (0 is the implicit one).</summary>
public sealed record CloseStep(int Fd) : TraceStep
{
    /// <inheritdoc />
    protected override JsonObject Fields() => new() { ["op"] = "close", ["fd"] = Fd };
}

/// <summary><c>{"op":"ioctl","cmd":"IOMMU_IOAS_MAP","arg":{...}}</c>, or with <c>"value"</c>
/// for integer-argument ioctls, or neither for ioctls without argument.</summary>
/// <param name="Command">The C macro name, or a request number written as <c>"0x3B7F"</c>.</param>
/// <param name="Fd">Index of the fd (0 = the implicit one).</param>
/// <param name="Arg">Fields by C name; null when the ioctl takes an integer or nothing.</param>
/// <param name="Value">The integer argument (also a reference or address), or null.</param>
/// <param name="Tail">Bytes appended after the struct, or null.</param>
public sealed record IoctlStep(string Command, int Fd, JsonObject? Arg, JsonNode? Value, byte[]? Tail) : TraceStep
{
    /// <summary>The other process that issues the ioctl (<c>"proc":"p"</c>), or null for the replaying process.</summary>
    public string? Process { get; init; }

    /// <inheritdoc />
    protected override JsonObject Fields()
    {
        // "proc" before "cmd": the call is read as "process p issues ioctl CMD" (and the fork traces are written so).
        var json = new JsonObject { ["op"] = "ioctl" };
        if (Process is not null)
            json["proc"] = Process;
        json["cmd"] = Command;
        if (Fd != 0)
            json["fd"] = Fd;
        if (Arg is not null)
            json["arg"] = Arg.DeepClone();
        if (Value is not null)
            json["value"] = Value.DeepClone();
        if (Tail is not null)
            json["tail"] = Convert.ToHexStringLower(Tail);
        return json;
    }
}

/// <summary><c>{"op":"fdread","fd":K,"length":N}</c>: read(2) of up to N bytes from fd K (a fault
/// queue's fd); the result's rc is the byte count and "hex" the bytes.</summary>
public sealed record FdReadStep(int Fd, int Length) : TraceStep
{
    /// <inheritdoc />
    protected override JsonObject Fields() => new() { ["op"] = "fdread", ["fd"] = Fd, ["length"] = Length };
}

/// <summary><c>{"op":"fdwrite","fd":K,"hex":"..."}</c>: write(2) of the bytes to fd K (a fault
/// response); the result's rc is the byte count.</summary>
public sealed record FdWriteStep(int Fd, byte[] Data) : TraceStep
{
    /// <inheritdoc />
    protected override JsonObject Fields() => new() { ["op"] = "fdwrite", ["fd"] = Fd, ["hex"] = Convert.ToHexStringLower(Data) };
}

/// <summary><c>{"op":"spawn","proc":"p"}</c>: starts the other process p, which shares the replay's fds
/// (as a forked child would) and has its own memory.</summary>
public sealed record SpawnStep(string Process) : TraceStep
{
    /// <inheritdoc />
    protected override JsonObject Fields() => new() { ["op"] = "spawn", ["proc"] = Process };
}

/// <summary><c>{"op":"exit","proc":"p"}</c>: the other process p exits and is waited for; its memory
/// (its mm) is gone from then on.</summary>
public sealed record ExitStep(string Process) : TraceStep
{
    /// <inheritdoc />
    protected override JsonObject Fields() => new() { ["op"] = "exit", ["proc"] = Process };
}
