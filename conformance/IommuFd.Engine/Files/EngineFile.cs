namespace IommuFd.Engine.Files;

/// <summary>What an engine fd refers to (the struct file behind it).</summary>
internal abstract class EngineFile
{
    /// <summary>read(2)/pread(2): bytes read or a negative errno.</summary>
    public abstract long Read(Span<byte> buffer, long offset);

    /// <summary>write(2)/pwrite(2): bytes written or a negative errno.</summary>
    public abstract long Write(ReadOnlySpan<byte> buffer, long offset);

    /// <summary>ioctl(2): the file's unlocked_ioctl, or ENOTTY when it has none.</summary>
    public virtual unsafe int Ioctl(uint request, void* argument) => -Errno.ENOTTY;

    /// <summary>The file's release, run when its last fd is closed.</summary>
    public abstract void Release();
}
