namespace IommuFd.HardwareRunner.Execution;

/// <summary>Process exit codes: kselftest's, plus one for bad configuration.</summary>
public static class ExitCodes
{
    /// <summary>Everything that ran passed.</summary>
    public const int Pass = 0;
    /// <summary>A failure, error or timeout.</summary>
    public const int Fail = 1;
    /// <summary>Nothing applicable ran: every case skipped.</summary>
    public const int Skip = 4;
    /// <summary>A timeout (kselftest's runner reports timeouts as 124).</summary>
    public const int Timeout = 124;
    /// <summary>Invalid options or command line (BSD's EX_USAGE); nothing was run.</summary>
    public const int Usage = 64;
}
