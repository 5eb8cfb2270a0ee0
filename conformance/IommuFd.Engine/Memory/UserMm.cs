namespace IommuFd.Engine.Memory;

/// <summary>
/// An mm_struct as the engine sees it: whose user memory an address names. Every call runs as
/// <see cref="Current"/> (current-&gt;mm): this process's own mm, unless the caller issued it on
/// behalf of another process (<see cref="EngineBackend.IoctlAs"/>). A MAP remembers the mm it was
/// made in (pages-&gt;source_mm), and pinning later reads that mm, whoever asks.
/// </summary>
internal abstract class UserMm
{
    /// <summary>This process's mm.</summary>
    public static readonly UserMm Self = new SelfMm();

    [ThreadStatic] private static UserMm? _current;

    /// <summary>current-&gt;mm of the call running on this thread.</summary>
    public static UserMm Current => _current ?? Self;

    /// <summary>Runs the calls made until the returned scope is disposed as <paramref name="mm"/>.</summary>
    public static Scope Use(UserMm mm)
    {
        UserMm? saved = _current;
        _current = mm;
        return new Scope(saved);
    }

    /// <summary>Restores the previous current mm.</summary>
    public readonly struct Scope(UserMm? saved) : IDisposable
    {
        public void Dispose() => _current = saved;
    }

    /// <summary>Bytes copied from the start of [address, address+length) (a fault ends the copy), or -1
    /// when none: copy_{from,to}_user into this mm.</summary>
    public abstract long Transfer(Span<byte> local, ulong address, bool write);

    /// <summary>The lines of this mm's /proc/PID/maps; empty once the mm is gone (its process exited):
    /// nothing can be pinned from it any more (mmget_not_zero fails, EFAULT).</summary>
    public abstract IEnumerable<string> MapsLines();

    /// <summary>mmget_not_zero: false once the process has exited (its maps read empty).</summary>
    public virtual bool IsAlive => MapsLines().Any();

    private sealed class SelfMm : UserMm
    {
        public override long Transfer(Span<byte> local, ulong address, bool write) =>
            UserAccess.TransferSelf(local, address, write);

        public override IEnumerable<string> MapsLines() => File.ReadLines("/proc/self/maps");

        public override bool IsAlive => true;
    }
}
