namespace IommuFd.TestVm;

/// <summary>A shell command (run by <c>/bin/sh -c</c> in the guest) with its environment.</summary>
/// <param name="Script">The shell text to run; its exit status becomes the run's exit code.</param>
public sealed record GuestCommand(string Script)
{
    /// <summary>Variables exported before the command runs (on top of PATH, HOME and the VM's own).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The guest directory to run in (the host's root is the guest's, read-only).</summary>
    public string WorkingDirectory { get; init; } = "/";
}
