using IommuFd.Bindings.Backends;

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

    private sealed record Buffer(string Name, UserMemory Memory, ulong Address, ulong Length);

    public void Allocate(IIommuBackend backend, string name, ulong length)
    {
        if (_byName.ContainsKey(name))
            throw new TraceFormatException($"buffer '{name}' is already allocated");
        if (length == 0)
            throw new TraceFormatException($"buffer '{name}' has length 0");
        UserMemory memory = backend.Allocate(checked((nuint)(length + Alignment)));
        ulong address = (memory.Address + Alignment - 1) & ~(Alignment - 1);
        var buffer = new Buffer(name, memory, address, length);
        _byName.Add(name, buffer);
        _inOrder.Add(buffer);
    }

    /// <summary>The address of <c>name + offset</c>; the offset may reach the end of the buffer.</summary>
    public ulong AddressOf(string name, ulong offset)
    {
        Buffer buffer = Find(name);
        if (offset > buffer.Length)
            throw new TraceFormatException($"offset {offset} is past the end of buffer '{name}' ({buffer.Length} bytes)");
        return buffer.Address + offset;
    }

    /// <summary>The bytes <c>[offset, offset+length)</c> of a buffer.</summary>
    public unsafe Span<byte> Bytes(string name, ulong offset, ulong length)
    {
        Buffer buffer = Find(name);
        if (offset > buffer.Length || length > buffer.Length - offset)
            throw new TraceFormatException($"bytes [{offset}, {offset + length}) are outside buffer '{name}' ({buffer.Length} bytes)");
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
            buffer.Memory.Dispose();
        _inOrder.Clear();
        _byName.Clear();
    }
}
