using System.Runtime.InteropServices;
using IommuFd.Uapi;
using Userfaultfd.Sample.Interop;
using Userfaultfd.Sample.Native;

namespace Userfaultfd.Sample;

/// <summary>A userfaultfd: opened, handshaken with UFFDIO_API, used to register ranges, read
/// fault messages and resolve faults with UFFDIO_COPY. Every ioctl goes through the wrappers
/// generated from linux/userfaultfd.h.</summary>
public sealed unsafe class UserfaultfdFile : IDisposable
{
    private readonly UserfaultfdHandle _handle;

    private UserfaultfdFile(UserfaultfdHandle handle, string openedBy)
    {
        _handle = handle;
        OpenedBy = openedBy;
    }

    /// <summary>How the descriptor was obtained (the system call or /dev/userfaultfd).</summary>
    public string OpenedBy { get; }

    /// <summary>The descriptor number.</summary>
    public int Fd => _handle.Fd;

    /// <summary>Opens a non-blocking userfaultfd. Tries, in order: the system call for user-mode
    /// faults only (allowed unprivileged since Linux 5.11), the system call for all faults (needs
    /// vm.unprivileged_userfaultfd=1 or CAP_SYS_PTRACE), and /dev/userfaultfd.</summary>
    /// <exception cref="UserfaultfdException">Every way failed; carries the last errno.</exception>
    public static UserfaultfdFile Open()
    {
        int flags = Libc.O_CLOEXEC | Libc.O_NONBLOCK;
        var failures = new List<string>();
        foreach ((int extra, string name) in new[] { (Uffd.UFFD_USER_MODE_ONLY, "userfaultfd(UFFD_USER_MODE_ONLY)"), (0, "userfaultfd()") })
        {
            long fd = Libc.Syscall(Libc.SysUserfaultfd, flags | extra);
            if (fd >= 0) return new UserfaultfdFile(new UserfaultfdHandle((int)fd), name);
            failures.Add($"{name}: errno {Marshal.GetLastPInvokeError()}");
        }

        int device = Libc.Open("/dev/userfaultfd", Libc.O_RDWR | Libc.O_CLOEXEC);
        if (device < 0)
            throw new UserfaultfdException(string.Join("; ", failures) + "; open(/dev/userfaultfd)", Marshal.GetLastPInvokeError());
        try
        {
            // USERFAULTFD_IOC_NEW takes the flags as the argument value, not through a pointer.
            int fd = UffdIoctls.USERFAULTFD_IOC_NEW(default(LibcIoctlTarget), device, (void*)(nint)flags);
            if (fd < 0) throw new UserfaultfdException("USERFAULTFD_IOC_NEW", -fd);
            return new UserfaultfdFile(new UserfaultfdHandle(fd), "/dev/userfaultfd");
        }
        finally
        {
            Libc.Close(device);
        }
    }

    /// <summary>The UFFDIO_API handshake: asks for API <c>UFFD_API</c> and <paramref name="features"/>,
    /// returns what the kernel granted (api, features, available ioctls).</summary>
    public uffdio_api Handshake(ulong features = 0)
    {
        var api = new uffdio_api { api = Uffd.UFFD_API, features = features };
        int result = UffdIoctls.UFFDIO_API(default(LibcIoctlTarget), Fd, ref api);
        if (result < 0) throw new UserfaultfdException("UFFDIO_API", -result);
        return api;
    }

    /// <summary>Registers [<paramref name="start"/>, +<paramref name="length"/>) for faults of
    /// <paramref name="mode"/> (UFFDIO_REGISTER_MODE_*); returns the ioctls usable on the range.</summary>
    public ulong Register(nint start, ulong length, ulong mode)
    {
        var register = new uffdio_register { mode = mode };
        register.range.start = (ulong)start;
        register.range.len = length;
        int result = UffdIoctls.UFFDIO_REGISTER(default(LibcIoctlTarget), Fd, ref register);
        if (result < 0) throw new UserfaultfdException("UFFDIO_REGISTER", -result);
        return register.ioctls;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for one event and reads it; false on timeout.</summary>
    public bool TryReadMessage(TimeSpan timeout, out uffd_msg message)
    {
        message = default;
        var poll = new Libc.PollFd { Fd = Fd, Events = Libc.POLLIN };
        int ready;
        do ready = Libc.Poll(&poll, 1, (int)timeout.TotalMilliseconds);
        while (ready < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR);
        if (ready < 0) throw new UserfaultfdException("poll", Marshal.GetLastPInvokeError());
        if (ready == 0) return false;

        fixed (uffd_msg* buffer = &message)
        {
            nint read = Libc.Read(Fd, buffer, (nuint)sizeof(uffd_msg));
            if (read < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EAGAIN) return false;
                throw new UserfaultfdException("read", errno);
            }
            if (read != sizeof(uffd_msg)) throw new UserfaultfdException($"read returned {read} bytes", 0);
        }
        return true;
    }

    /// <summary>Resolves a missing-page fault: copies <paramref name="length"/> bytes from
    /// <paramref name="source"/> to <paramref name="destination"/> and wakes the faulting thread.
    /// Returns the number of bytes copied.</summary>
    public long Copy(nint destination, nint source, ulong length)
    {
        var copy = new uffdio_copy { dst = (ulong)destination, src = (ulong)source, len = length };
        int result = UffdIoctls.UFFDIO_COPY(default(LibcIoctlTarget), Fd, ref copy);
        if (result < 0) throw new UserfaultfdException("UFFDIO_COPY", -result);
        return copy.copy;
    }

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();
}
