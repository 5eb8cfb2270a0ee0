namespace IommuFd.Engine.Files;

/// <summary>The engine's fd numbers: like the kernel, the lowest free number (from a plausible base).</summary>
internal sealed class FdTable(int firstFd)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, EngineFile> _files = [];
    private readonly SortedSet<int> _freed = [];
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
        lock (_lock) _files[fd] = file;
    }

    public EngineFile? Get(int fd)
    {
        lock (_lock) return _files.GetValueOrDefault(fd);
    }

    /// <summary>close(2): detaches the file from its number; the caller releases it.</summary>
    public EngineFile? Remove(int fd)
    {
        lock (_lock)
        {
            if (!_files.Remove(fd, out EngineFile? file))
                return null;
            _freed.Add(fd);
            return file;
        }
    }

    public int[] OpenFds()
    {
        lock (_lock) return [.. _files.Keys];
    }
}
