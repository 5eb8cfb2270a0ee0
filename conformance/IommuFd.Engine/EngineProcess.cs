namespace IommuFd.Engine;

/// <summary>
/// Another process that shares this engine's fds, as a child that inherited them would: ioctls it
/// issues (<see cref="EngineBackend.IoctlAs"/>) run with its mm as current-&gt;mm. Attaching holds
/// that very process (not its pid number); when it exits, its memory is gone for the engine as its
/// mm is for the kernel.
/// </summary>
public sealed class EngineProcess
{
    private EngineProcess(OtherProcessMm mm) => Mm = mm;

    internal OtherProcessMm Mm { get; }

    /// <summary>The process's pid.</summary>
    public int Pid => Mm.Pid;

    /// <summary>Attaches to the live process <paramref name="pid"/> (its /proc entry must be readable
    /// and its memory openable, as for ptrace): null when it cannot be.</summary>
    public static EngineProcess? Attach(int pid) =>
        OtherProcessMm.Attach(pid, out _) is { } mm ? new EngineProcess(mm) : null;
}
