using System.Runtime.InteropServices;
using Userfaultfd.Sample.Native;

namespace Userfaultfd.Sample;

/// <summary>An owned userfaultfd file descriptor, closed exactly once.</summary>
public sealed class UserfaultfdHandle : SafeHandle
{
    /// <summary>Takes ownership of <paramref name="fd"/>.</summary>
    public UserfaultfdHandle(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);

    /// <inheritdoc/>
    public override bool IsInvalid => handle == -1;

    /// <summary>The descriptor number.</summary>
    public int Fd => (int)handle;

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
