namespace IommuFd.Engine.Files;

/// <summary>The engine's fd numbers: like the kernel, the lowest free number (from a plausible base).
/// Lookups, one per ioctl, read an immutable snapshot without locking (as the kernel's fdget reads
/// its RCU-protected table); the rare opens and closes replace the snapshot under the lock.</summary>
internal sealed class FdTable(int firstFd)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, EngineFile> _files = [];
    private EngineFile?[] _snapshot = [];
    private readonly SortedSet<int> _freed = [];
    private readonly int _firstFd = firstFd;
    private int _next = firstFd;

    /// <summary>get_unused_fd_flags: reserves the lowest free number.</summary>
    public int Reserve()
    {
        lock (_lock)
        {
            if (_freed.Count > 0)
            {
                int fd = _freed.Min;
                _freed.Remove(fd);
                return fd;
            }
            return _next == int.MaxValue ? -Errno.EMFILE : _next++;
        }
    }

    /// <summary>put_unused_fd: gives back a number that was never installed.</summary>
    public void Unreserve(int fd)
    {
        lock (_lock) _freed.Add(fd);
    }

    /// <summary>fd_install.</summary>
    public void Install(int fd, EngineFile file)
    {
        lock (_lock)
        {
            _files[fd] = file;
            PublishSnapshot();
        }
    }

    public EngineFile? Get(int fd)
    {
        EngineFile?[] files = Volatile.Read(ref _snapshot);
        uint index = (uint)(fd - _firstFd);
        return index < (uint)files.Length ? files[index] : null;
    }

    /// <summary>close(2): detaches the file from its number; the caller releases it.</summary>
    public EngineFile? Remove(int fd)
    {
        lock (_lock)
        {
            if (!_files.Remove(fd, out EngineFile? file))
                return null;
            _freed.Add(fd);
            PublishSnapshot();
            return file;
        }
    }

    private void PublishSnapshot()
    {
        var files = new EngineFile?[_files.Count == 0 ? 0 : _files.Keys.Max() - _firstFd + 1];
        foreach ((int fd, EngineFile file) in _files)
            files[fd - _firstFd] = file;
        Volatile.Write(ref _snapshot, files);
    }

    public int[] OpenFds()
    {
        lock (_lock) return [.. _files.Keys];
    }
}
