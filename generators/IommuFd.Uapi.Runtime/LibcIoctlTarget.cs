using System.Runtime.InteropServices;

namespace IommuFd.Uapi;

/// <summary>Sends generated ioctl wrappers' requests to the running kernel through libc's
/// <c>ioctl</c>. A struct, so the generic wrappers are specialised for it and nothing is boxed.
/// A file held as a <see cref="SafeHandle"/> is passed as its descriptor while a reference is
/// held (<see cref="SafeHandle.DangerousAddRef"/>), as <see cref="Invoke"/> does.</summary>
public readonly struct LibcIoctlTarget : IIoctlTarget
{
    /// <inheritdoc/>
    public unsafe int Ioctl(int fd, uint request, void* argument)
    {
        int result = Ioctl(fd, (nuint)request, argument);
        return result >= 0 ? result : -Marshal.GetLastPInvokeError();
    }

    /// <summary>Runs <paramref name="call"/> with the descriptor of <paramref name="handle"/>,
    /// which cannot be closed (and its number reused) until the call returns.</summary>
    public static int Invoke(SafeHandle handle, Func<int, int> call)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(call);
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return call((int)handle.DangerousGetHandle());
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    // ioctl is variadic in C; a pointer argument travels in the same register as for a fixed
    // prototype on every 64-bit Linux ABI .NET runs on. The request is an unsigned long in glibc.
    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static extern unsafe int Ioctl(int fd, nuint request, void* argument);
}
