namespace IommuFd.HardwareRunner.Model;

/// <summary>How one test case ended. Mapped to each output format's own vocabulary by its writer.</summary>
public enum TestStatus
{
    /// <summary>Ran and held.</summary>
    Pass,
    /// <summary>Ran and found the tested code wrong (e.g. backends diverged).</summary>
    Fail,
    /// <summary>Not applicable here; the reason says why.</summary>
    Skip,
    /// <summary>Did not finish within its time limit; kselftest reports exit code 124.</summary>
    Timeout,
    /// <summary>The test itself broke (an exception in the harness or an adapter).</summary>
    Error,
    /// <summary>Failed, as expected (a known kernel/spec difference).</summary>
    XFail,
    /// <summary>Passed although a failure was expected.</summary>
    XPass,
    /// <summary>Never started: the run was stopped (timeout, SIGTERM, crash) before reaching it, or
    /// what it needs and was demanded (a backend named with --backend) is missing.</summary>
    NotRun,
}
