using System.Runtime.InteropServices;
using IommuFd.Interop.Native;

namespace IommuFd.Bindings.Backends;

/// <summary>An anonymous memory file of this process (<c>memfd_create</c>, sized with <c>ftruncate</c>):
/// what <see cref="Ioas.MapFile"/> maps by fd. It is a real kernel file whatever the backend; the
/// engine maps it through the same fd (docs/engine-notes.md, "File mappings").</summary>
public sealed class MemFd : SafeHandle
{
    private const uint CloseOnExec = LibC.MFD_CLOEXEC;

    private MemFd(int fd, long length) : base(-1, ownsHandle: true)
    {
        SetHandle(fd);
        Length = length;
    }

    /// <summary>The file's size in bytes.</summary>
    public long Length { get; }

    /// <summary>The fd, for IOMMU_IOAS_MAP_FILE; valid while this object is open.</summary>
    public int Fd => (int)handle;

    /// <inheritdoc/>
    public override bool IsInvalid => handle == -1;

    /// <summary>Creates a memfd named <paramref name="name"/> of <paramref name="length"/> zero bytes.</summary>
    /// <exception cref="IommuFdException">memfd_create or ftruncate failed.</exception>
    public static MemFd Create(string name, long length)
    {
        int fd = LibC.memfd_create(name, CloseOnExec);
        if (fd < 0)
            throw new IommuFdException("memfd_create", Marshal.GetLastPInvokeError());
        var file = new MemFd(fd, length);
        if (LibC.ftruncate(fd, length) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            file.Dispose();
            throw new IommuFdException("ftruncate", errno);
        }
        return file;
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> (pwrite).</summary>
    public unsafe void Write(long offset, ReadOnlySpan<byte> data)
    {
        fixed (byte* bytes = data)
        {
            if (LibC.pwrite(Fd, bytes, (nuint)data.Length, offset) != data.Length)
                throw new IommuFdException("pwrite", Marshal.GetLastPInvokeError());
        }
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => LibC.close((int)handle) == 0;
}
