using System.Runtime.InteropServices;
using System.Text;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.Conformance.FailNth;

/// <summary>Follows the kernel log through <c>/dev/kmsg</c>: <see cref="ReadNew"/> returns what the
/// kernel logged since the previous call (or since opening), without spawning dmesg for every run.</summary>
public sealed partial class KernelMessages : IDisposable
{
    private const int EAGAIN = 11, EPIPE = 32, EINTR = 4;
    private readonly int _fd;
    private readonly byte[] _record = new byte[8192];

    private KernelMessages(int fd) => _fd = fd;

    /// <summary>Opens the log positioned at its end.</summary>
    /// <exception cref="InvalidOperationException">/dev/kmsg cannot be opened.</exception>
    public static KernelMessages OpenAtEnd()
    {
        int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            throw new InvalidOperationException($"cannot open /dev/kmsg: errno {Marshal.GetLastPInvokeError()}");
        lseek(fd, 0, SEEK_END);
        return new KernelMessages(fd);
    }

    /// <summary>The messages logged since the last call (continuation lines included), oldest first.</summary>
    public unsafe IReadOnlyList<string> ReadNew()
    {
        var lines = new List<string>();
        fixed (byte* buffer = _record)
        {
            while (true)
            {
                nint n = read(_fd, buffer, (nuint)_record.Length);
                if (n > 0)
                {
                    // A record is "prio,seq,time,flags;message\n" plus " KEY=value" lines.
                    string record = Encoding.UTF8.GetString(_record, 0, (int)n);
                    int semicolon = record.IndexOf(';', StringComparison.Ordinal);
                    lines.AddRange(record[(semicolon + 1)..].Split('\n', StringSplitOptions.RemoveEmptyEntries));
                    continue;
                }
                int errno = n < 0 ? Marshal.GetLastPInvokeError() : EAGAIN;
                if (errno == EINTR)
                    continue;
                if (errno == EPIPE)
                {
                    lines.Add("(kernel log overwritten while reading: some messages were lost)");
                    continue; // the next read resumes at the oldest record still there
                }
                return lines;
            }
        }
    }

    /// <summary>Closes the log.</summary>
    public void Dispose() => close(_fd);
}
