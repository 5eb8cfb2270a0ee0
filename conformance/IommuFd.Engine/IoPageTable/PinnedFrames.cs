namespace IommuFd.Engine.IoPageTable;

/// <summary>
/// The engine has no physical pages: a pinned page is its user VA. For pages of another process that
/// is not enough, since the kernel's pinned pages outlive the process that mapped them (a domain or an
/// access still reads and writes them). So each pinned page of another mm is copied here when it is
/// pinned, and every copy through the engine while the process lives refreshes it; once the process
/// is gone the copies answer instead. What the process itself wrote to a pinned page after the
/// engine's last look at it is not seen (the one place where the model is weaker than the kernel).
/// </summary>
internal sealed class PinnedFrames(UserMm mm)
{
    private readonly Dictionary<ulong, byte[]> _frames = [];

    /// <summary>A page was pinned: copy it (it was just checked to be mapped).</summary>
    public void Capture(ulong pageVa, ulong pageSize)
    {
        byte[] frame = new byte[pageSize];
        if (mm.Transfer(frame, pageVa, write: false) == (long)pageSize)
            _frames[pageVa] = frame;
    }

    public void Release(ulong pageVa) => _frames.Remove(pageVa);

    /// <summary>Through the process while it is there (refreshing the frames), else from the frames of
    /// pinned pages: bytes copied from the start, or -1.</summary>
    public long Transfer(Span<byte> data, ulong address, bool write, ulong pageSize)
    {
        long done = Math.Max(mm.Transfer(data, address, write), 0);
        Refresh(data[..(int)done], address, pageSize);
        long copied = done;
        while (copied < data.Length)
        {
            ulong va = address + (ulong)copied;
            ulong page = va & ~(pageSize - 1);
            if (!_frames.TryGetValue(page, out byte[]? frame))
                break;
            int offset = (int)(va - page);
            int n = (int)Math.Min((ulong)(data.Length - copied), pageSize - (ulong)offset);
            if (write)
                data.Slice((int)copied, n).CopyTo(frame.AsSpan(offset, n));
            else
                frame.AsSpan(offset, n).CopyTo(data.Slice((int)copied, n));
            copied += n;
        }
        return copied > 0 ? copied : -1;
    }

    private void Refresh(ReadOnlySpan<byte> data, ulong address, ulong pageSize)
    {
        for (ulong va = address; va < address + (ulong)data.Length;)
        {
            ulong page = va & ~(pageSize - 1);
            int offset = (int)(va - page);
            int n = (int)Math.Min(address + (ulong)data.Length - va, pageSize - (ulong)offset);
            if (_frames.TryGetValue(page, out byte[]? frame))
                data.Slice((int)(va - address), n).CopyTo(frame.AsSpan(offset, n));
            va += (ulong)n;
        }
    }
}
