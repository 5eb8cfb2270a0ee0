using IommuFd.Bindings.Backends;

namespace IommuFd.Bindings.Tests.Fakes;

/// <summary>An in-test backend: hands out fds, records closes, and answers each ioctl with a
/// handler the test supplies (which may read and write the argument struct, as the kernel does).</summary>
public sealed unsafe class ScriptedBackend : IIommuBackend
{
    /// <summary>One ioctl the backend saw: fd, request and the argument pointer (or integer) as passed.</summary>
    public sealed record Call(int Fd, uint Request, nint Argument);

    /// <summary>Answers an ioctl; the default answers 0 and leaves the argument alone.</summary>
    public delegate int Handler(int fd, uint request, nint argument);

    private int _nextFd = 100;

    public Handler OnIoctl { get; set; } = (_, _, _) => 0;

    /// <summary>When false the backend records nothing, so it allocates nothing per call.</summary>
    public bool Record { get; set; } = true;

    public List<Call> Calls { get; } = [];
    public List<int> Closed { get; } = [];
    public List<string> Opened { get; } = [];
    public int IoctlCount { get; private set; }

    public string Name => "scripted";

    public int Open(string path)
    {
        Opened.Add(path);
        return _nextFd++;
    }

    public int Close(int fd)
    {
        Closed.Add(fd);
        return 0;
    }

    public int Ioctl(int fd, uint request, void* argument)
    {
        IoctlCount++;
        if (Record)
            Calls.Add(new Call(fd, request, (nint)argument));
        return OnIoctl(fd, request, (nint)argument);
    }

    public Func<int, long, byte[], long>? OnRead { get; set; }
    public Func<int, long, byte[], long>? OnWrite { get; set; }

    public long Read(int fd, Span<byte> buffer, long offset = -1)
    {
        byte[] copy = new byte[buffer.Length];
        long n = OnRead?.Invoke(fd, offset, copy) ?? -(int)Errno.EINVAL;
        copy.AsSpan(0, (int)Math.Max(0, Math.Min(n, copy.Length))).CopyTo(buffer);
        return n;
    }

    public long Write(int fd, ReadOnlySpan<byte> buffer, long offset = -1) =>
        OnWrite?.Invoke(fd, offset, buffer.ToArray()) ?? -(int)Errno.EINVAL;

    public UserMemory Allocate(nuint length) => UserMemory.Map(length);

    public void Dispose()
    {
    }
}

/// <summary>Reads and writes an ioctl argument the way the kernel does, from a handler.</summary>
public static unsafe class Arg
{
    /// <summary>The argument at <paramref name="pointer"/> as a <typeparamref name="T"/>.</summary>
    public static ref T As<T>(nint pointer) where T : unmanaged => ref *(T*)pointer;

    /// <summary>The <paramref name="length"/> bytes at <paramref name="pointer"/>.</summary>
    public static Span<byte> Bytes(nint pointer, int length) => new((void*)pointer, length);
}
