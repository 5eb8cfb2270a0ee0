using System.Runtime.InteropServices;
using IommuFd.Uapi;
using Userfaultfd.Sample.Native;

namespace Userfaultfd.Sample;

/// <summary>Sends generated ioctl wrappers' requests to the kernel through libc. A struct, so the
/// generic wrappers are specialised and nothing is boxed.</summary>
public readonly struct LibcIoctlTarget : IIoctlTarget
{
    /// <inheritdoc/>
    public unsafe int Ioctl(int fd, uint request, void* argument)
    {
        int result = Libc.Ioctl(fd, request, argument);
        return result >= 0 ? result : -Marshal.GetLastPInvokeError();
    }
}
