using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using IommuFd.Bindings.Backends;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.Conformance.FailNth;

/// <summary>The calling thread's <c>/proc/self/task/&lt;tid&gt;/fail-nth</c>. The kernel keeps the counter
/// per task: writing N makes the Nth fault point (failslab, ...) this task reaches fail, every point
/// reached decrements it, and reading it returns what is left (0 once the fault was injected).
/// Only the thread that opened it may use it.</summary>
public sealed partial class TaskFailNth : IFaultInjector, IDisposable
{
    private readonly KernelBackend _libc = new();
    private readonly int _fd;
    private readonly int _tid;
    private readonly int _managedThread;
    private readonly byte[] _buffer = new byte[32];

    private TaskFailNth(int fd, int tid)
    {
        _fd = fd;
        _tid = tid;
        _managedThread = Environment.CurrentManagedThreadId;
    }

    /// <summary>The path of this task's control file.</summary>
    public string Path => $"/proc/self/task/{_tid}/fail-nth";

    /// <summary>Opens the control file of the calling OS thread.</summary>
    /// <exception cref="InvalidOperationException">The kernel has no fail-nth (CONFIG_FAULT_INJECTION off) or it cannot be opened.</exception>
    public static TaskFailNth OpenForCurrentThread()
    {
        int tid = gettid();
        string path = $"/proc/self/task/{tid}/fail-nth";
        using var libc = new KernelBackend();
        int fd = libc.Open(path);
        if (fd < 0)
            throw new InvalidOperationException($"cannot open {path}: errno {-fd} (a kernel without CONFIG_FAULT_INJECTION has no fail-nth)");
        return new TaskFailNth(fd, tid);
    }

    /// <inheritdoc/>
    public void Arm(uint nth)
    {
        ArgumentOutOfRangeException.ThrowIfZero(nth);
        WriteCount(nth);
    }

    /// <inheritdoc/>
    public uint Disarm()
    {
        CheckThread();
        long n = _libc.Read(_fd, _buffer, 0);
        if (n <= 0)
            throw new InvalidOperationException($"reading {Path} failed: {(n < 0 ? $"errno {-n}" : "empty")}");
        string text = Encoding.ASCII.GetString(_buffer, 0, (int)n).Trim();
        if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint left))
            throw new InvalidOperationException($"{Path} reads '{text}', not a count");
        if (left != 0)
            WriteCount(0);
        return left;
    }

    /// <summary>Disarms and closes the file.</summary>
    public void Dispose()
    {
        _libc.Write(_fd, "0"u8, 0);
        _libc.Close(_fd);
        _libc.Dispose();
    }

    private void WriteCount(uint value)
    {
        CheckThread();
        byte[] text = Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
        long n = _libc.Write(_fd, text, 0);
        if (n != text.Length)
            throw new InvalidOperationException($"writing {value} to {Path} failed: {(n < 0 ? $"errno {-n}" : $"{n} bytes written")}");
    }

    // The counter belongs to one kernel task: another thread writing it would arm the wrong task.
    private void CheckThread()
    {
        if (Environment.CurrentManagedThreadId != _managedThread)
            throw new InvalidOperationException($"{Path} belongs to thread {_managedThread}, not {Environment.CurrentManagedThreadId}");
    }
}
