using IommuFd.Conformance.Processes;

namespace IommuFd.Conformance.Replay;

/// <summary>The other processes of one replay, by name; every one still running is killed at the end.</summary>
internal sealed class ReplayProcesses : IDisposable
{
    private readonly Dictionary<string, OtherProcess> _byName = new(StringComparer.Ordinal);

    public void Spawn(string name)
    {
        if (_byName.ContainsKey(name))
            throw new TraceFormatException($"process '{name}' was already spawned");
        _byName.Add(name, OtherProcess.Start());
    }

    /// <summary>A process that was spawned and has not exited.</summary>
    public OtherProcess Live(string name)
    {
        OtherProcess process = _byName.GetValueOrDefault(name)
            ?? throw new TraceFormatException($"no process '{name}' (start it with a spawn step first)");
        if (process.HasExited)
            throw new TraceFormatException($"process '{name}' has exited");
        return process;
    }

    public void Dispose()
    {
        foreach (OtherProcess process in _byName.Values)
            process.Dispose();
        _byName.Clear();
    }
}
