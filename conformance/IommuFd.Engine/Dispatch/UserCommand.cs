using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace IommuFd.Engine.Dispatch;

/// <summary>Room for the largest iommufd command struct (union ucmd_buffer).</summary>
[InlineArray(128)]
internal struct CommandBytes
{
    private byte _element;
}

/// <summary>iommufd_ucmd: the user's pointer and size, and the kernel copy of the struct.</summary>
/// <param name="userPointer">The argument's user address.</param>
/// <param name="userSize">The struct size the user declared (its first field).</param>
/// <param name="direct">The user struct is on the caller's live stack (<see cref="UserAccess.IsOwnLiveStack"/>):
/// copies in and out are plain memory copies.</param>
internal unsafe struct UserCommand(ulong userPointer, uint userSize, bool direct = false)
{
    public readonly ulong UserPointer = userPointer;
    public readonly uint UserSize = userSize;
    public readonly bool Direct = direct;
    public CommandBytes Buffer;

    /// <summary>The kernel copy viewed as the command's struct.</summary>
    [UnscopedRef]
    public ref T As<T>() where T : unmanaged => ref Unsafe.As<byte, T>(ref Buffer[0]);

    /// <summary>iommufd_ucmd_respond: writes min(user size, <paramref name="length"/>) bytes back.</summary>
    [UnscopedRef]
    public int Respond(int length)
    {
        int n = (int)Math.Min(UserSize, (uint)length);
        if (Direct)
        {
            ((ReadOnlySpan<byte>)Buffer)[..n].CopyTo(new Span<byte>((void*)UserPointer, n));
            return 0;
        }
        return UserAccess.CopyToUser(((ReadOnlySpan<byte>)Buffer)[..n], UserPointer);
    }
}
