using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Processes;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Replay;

/// <summary>The named user buffers of one replay, and the mapping between their real addresses and
/// the symbolic form <c>"@name+OFF"</c>.</summary>
/// <remarks>Each buffer starts on a 2 MiB boundary (the allocation is padded and the start rounded
/// up). Automatic IOVA allocation aligns to the user address up to 2 MiB (spec §5.2), so with this
/// alignment every backend and every run chooses the same IOVAs for the same trace.</remarks>
internal sealed class ReplayBuffers : IDisposable
{
    /// <summary>Start alignment of every buffer: the kernel's largest IOVA alignment hint (HPAGE_SIZE).</summary>
    public const ulong Alignment = 2UL << 20;

    private readonly Dictionary<string, Buffer> _byName = new(StringComparer.Ordinal);
    private readonly List<Buffer> _inOrder = [];

    // The memfds of memfd buffers still open (the replay's own files, not the backend's).
    private readonly HashSet<int> _memfds = [];

    // Memory is null for a buffer of another process (Owner), which frees it when it exits.
    private sealed record Buffer(string Name, UserMemory? Memory, ulong Address, ulong Length, OtherProcess? Owner, bool Hugetlb = false)
    {
        // The protection of each page ("none", "r", "rw"), so the replay itself never touches a page
        // it may not (a write step into a read-only page would crash the process, not the trace).
        public string[] PageProt { get; } = Enumerable.Repeat("rw", checked((int)((Length + PageSize - 1) / PageSize))).ToArray();
    }

    private static readonly ulong PageSize = (ulong)Environment.SystemPageSize;

    public void Allocate(IIommuBackend backend, string name, ulong length, string? file = null, bool hugetlb = false)
    {
        CheckNew(name, length);
        if (hugetlb)
        {
            // Huge page aligned by the kernel (and by the engine's stand-in), so no padding. The kernel
            // backend throws, saying how to reserve huge pages, when there are none: the trace fails.
            UserMemory huge = backend.AllocateHugetlb(checked((nuint)length));
            Add(new Buffer(name, huge, huge.Address, length, null, Hugetlb: true));
            return;
        }
        UserMemory memory = backend.Allocate(checked((nuint)(length + Alignment)));
        ulong address = (memory.Address + Alignment - 1) & ~(Alignment - 1);
        if (file is not null)
        {
            try
            {
                // Over the aligned part of the allocation, so disposing the allocation unmaps it too.
                BufferMemory.MapFilePrivate(file, address, length);
            }
            catch
            {
                memory.Dispose();
                throw;
            }
        }
        Add(new Buffer(name, memory, address, length, null));
    }

    /// <summary>A memfd of <paramref name="length"/> bytes mapped shared as buffer <paramref name="name"/>
    /// (placed like any buffer): its fd (a file of the replay itself, whatever the backend).</summary>
    public int AllocateMemfd(IIommuBackend backend, string name, ulong length)
    {
        CheckNew(name, length);
        UserMemory memory = backend.Allocate(checked((nuint)(length + Alignment)));
        ulong address = (memory.Address + Alignment - 1) & ~(Alignment - 1);
        int fd;
        try
        {
            // Over the aligned part of the allocation, so disposing the allocation unmaps it too.
            fd = BufferMemory.MapMemfd(name, address, length);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
        _memfds.Add(fd);
        Add(new Buffer(name, memory, address, length, null));
        return fd;
    }

    /// <summary>True when <paramref name="fd"/> is an open memfd of a buffer (closed by the replay, not the backend).</summary>
    public bool OwnsFile(int fd) => _memfds.Contains(fd);

    /// <summary>Closes a memfd of a buffer (its mapping stays): 0 or the negative errno.</summary>
    public int CloseFile(int fd)
    {
        _memfds.Remove(fd);
        return BufferMemory.Close(fd);
    }

    /// <summary>A buffer in the memory of another process (aligned the same way by the process).</summary>
    public void Allocate(OtherProcess owner, string name, ulong length, string? file = null)
    {
        if (file is not null)
            throw new TraceFormatException($"buffer '{name}': a file mapping in another process is not supported");
        CheckNew(name, length);
        Add(new Buffer(name, null, owner.Allocate(length), length, owner));
    }

    /// <summary>mprotect of whole pages of a buffer; the range must start on a page and stay inside the
    /// buffer's pages.</summary>
    public void Protect(string name, ulong offset, ulong length, string prot)
    {
        Buffer buffer = Find(name);
        if (buffer.Owner is not null)
            throw new TraceFormatException($"buffer '{name}' is in another process: protect works on the replaying process's buffers");
        ulong pages = (ulong)buffer.PageProt.Length;
        if (offset % PageSize != 0 || length % PageSize != 0 || length == 0 || offset / PageSize + length / PageSize > pages)
            throw new TraceFormatException($"protect needs whole pages inside buffer '{name}' ({pages} pages), got [{offset}, {offset + length})");
        if (buffer.Hugetlb && (offset % AllocStep.HugePageSize != 0 || length % AllocStep.HugePageSize != 0))
            throw new TraceFormatException($"protect of hugetlb buffer '{name}' needs whole 2 MiB pages (mprotect is EINVAL otherwise), got [{offset}, {offset + length})");
        BufferMemory.Protect(buffer.Address + offset, length, prot);
        for (ulong page = offset / PageSize; page < (offset + length) / PageSize; page++)
            buffer.PageProt[page] = prot;
    }

    private void CheckNew(string name, ulong length)
    {
        if (_byName.ContainsKey(name))
            throw new TraceFormatException($"buffer '{name}' is already allocated");
        if (length == 0)
            throw new TraceFormatException($"buffer '{name}' has length 0");
    }

    private void Add(Buffer buffer)
    {
        _byName.Add(buffer.Name, buffer);
        _inOrder.Add(buffer);
    }

    /// <summary>Writes bytes at <c>name + offset</c>, in whichever process holds the buffer.</summary>
    public void Write(string name, ulong offset, ReadOnlySpan<byte> data)
    {
        if (Find(name).Owner is { } owner)
            owner.Write(Checked(name, offset, (ulong)data.Length), data);
        else
            data.CopyTo(Bytes(name, offset, (ulong)data.Length, write: true));
    }

    /// <summary>Reads the bytes <c>[offset, offset+length)</c> of a buffer, in whichever process holds it.</summary>
    public byte[] Read(string name, ulong offset, ulong length) =>
        Find(name).Owner is { } owner
            ? owner.Read(Checked(name, offset, length), (int)length)
            : Bytes(name, offset, length).ToArray();

    private ulong Checked(string name, ulong offset, ulong length)
    {
        Buffer buffer = Find(name);
        if (offset > buffer.Length || length > buffer.Length - offset)
            throw new TraceFormatException($"bytes [{offset}, {offset + length}) are outside buffer '{name}' ({buffer.Length} bytes)");
        if (buffer.Owner is { HasExited: true })
            throw new TraceFormatException($"buffer '{name}' belongs to a process that has exited");
        return buffer.Address + offset;
    }

    /// <summary>The address of <c>name + offset</c>; the offset may reach the end of the buffer.</summary>
    public ulong AddressOf(string name, ulong offset)
    {
        Buffer buffer = Find(name);
        if (offset > buffer.Length)
            throw new TraceFormatException($"offset {offset} is past the end of buffer '{name}' ({buffer.Length} bytes)");
        return buffer.Address + offset;
    }

    /// <summary>The bytes <c>[offset, offset+length)</c> of a buffer, to read or (<paramref name="write"/>)
    /// to write; pages protected against that access are refused.</summary>
    public unsafe Span<byte> Bytes(string name, ulong offset, ulong length, bool write = false)
    {
        Buffer buffer = Find(name);
        if (buffer.Owner is not null)
            throw new TraceFormatException($"buffer '{name}' is in another process");
        if (offset > buffer.Length || length > buffer.Length - offset)
            throw new TraceFormatException($"bytes [{offset}, {offset + length}) are outside buffer '{name}' ({buffer.Length} bytes)");
        for (ulong page = offset / PageSize; length != 0 && page <= (offset + length - 1) / PageSize; page++)
        {
            string prot = buffer.PageProt[page];
            if (prot == "none" || (write && prot == "r"))
                throw new TraceFormatException($"page {page} of buffer '{name}' is protected '{prot}': the replay cannot {(write ? "write" : "read")} it");
        }
        return new Span<byte>((void*)(buffer.Address + offset), checked((int)length));
    }

    /// <summary>"@name+OFF" when <paramref name="value"/> lies within a buffer (end included), else null.</summary>
    public string? Symbolize(ulong value)
    {
        foreach (Buffer buffer in _inOrder)
            if (value >= buffer.Address && value - buffer.Address <= buffer.Length)
                return SymbolicAddress.Format(buffer.Name, value - buffer.Address);
        return null;
    }

    private Buffer Find(string name) =>
        _byName.GetValueOrDefault(name) ?? throw new TraceFormatException($"no buffer '{name}' (allocate it with an alloc step first)");

    public void Dispose()
    {
        foreach (Buffer buffer in _inOrder)
            buffer.Memory?.Dispose();
        foreach (int fd in _memfds)
            _ = BufferMemory.Close(fd);
        _memfds.Clear();
        _inOrder.Clear();
        _byName.Clear();
    }
}
