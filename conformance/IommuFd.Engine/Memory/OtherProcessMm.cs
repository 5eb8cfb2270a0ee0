using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.Engine.Memory;

/// <summary>
/// Another process's mm (a child that shares the engine's fds). Opening /proc/PID/mem and the
/// /proc/PID directory at attach time holds that very process, as the kernel's mmgrab and
/// get_task_struct do: a later process with the same pid is never confused with it. Once the process
/// has exited its maps read empty and its memory reads nothing, so copies and pins fail (EFAULT).
/// </summary>
internal sealed partial class OtherProcessMm : UserMm
{
    private readonly SafeFileHandle _dir, _mem;

    private OtherProcessMm(int pid, SafeFileHandle dir, SafeFileHandle mem)
    {
        Pid = pid;
        _dir = dir;
        _mem = mem;
    }

    /// <summary>The process's pid when it was attached.</summary>
    public int Pid { get; }

    /// <summary>Attaches to a live process: null (with the errno) when it cannot be opened.</summary>
    public static OtherProcessMm? Attach(int pid, out int errno)
    {
        errno = 0;
        var dir = new SafeFileHandle(open($"/proc/{pid}", O_PATH | O_DIRECTORY | O_CLOEXEC), ownsHandle: true);
        if (dir.IsInvalid)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        var mem = new SafeFileHandle(openat(dir, "mem", O_RDWR | O_CLOEXEC), ownsHandle: true);
        if (mem.IsInvalid)
        {
            errno = Marshal.GetLastPInvokeError();
            dir.Dispose();
            return null;
        }
        return new OtherProcessMm(pid, dir, mem);
    }

    /// <summary>The process's fd <paramref name="fd"/> opened again through /proc/PID/fd (fget in its
    /// table: the same file), read-write where its mode allows; null when it has no such fd.</summary>
    public SafeFileHandle? OpenFd(int fd)
    {
        foreach (int mode in (int[])[O_RDWR, O_RDONLY])
        {
            var handle = new SafeFileHandle(openat(_dir, $"fd/{fd}", mode | O_CLOEXEC), ownsHandle: true);
            if (!handle.IsInvalid)
                return handle;
            handle.Dispose();
        }
        return null;
    }

    /// <inheritdoc />
    public override unsafe long Transfer(Span<byte> local, ulong address, bool write)
    {
        // /proc/PID/mem would read PROT_NONE and write read-only pages (FOLL_FORCE): limit it to what
        // the mappings allow, as copy_{from,to}_user would.
        ulong allowed = ProcessMappings.AccessiblePrefix(this, address, (ulong)local.Length, write);
        if (allowed == 0 || address > long.MaxValue)
            return -1;
        fixed (byte* p = local)
        {
            nint rc = write ? pwrite(_mem, p, (nuint)allowed, (long)address) : pread(_mem, p, (nuint)allowed, (long)address);
            return rc > 0 ? rc : -1;
        }
    }

    /// <inheritdoc />
    public override unsafe IEnumerable<string> MapsLines()
    {
        using var maps = new SafeFileHandle(openat(_dir, "maps", O_RDONLY | O_CLOEXEC), ownsHandle: true);
        if (maps.IsInvalid)
            return []; // the process is gone (reaped): no mm
        var text = new MemoryStream();
        byte[] chunk = new byte[16384];
        fixed (byte* p = chunk)
        {
            nint n;
            while ((n = read(maps, p, (nuint)chunk.Length)) > 0)
                text.Write(chunk, 0, (int)n);
        }
        return Encoding.ASCII.GetString(text.GetBuffer(), 0, (int)text.Length).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
