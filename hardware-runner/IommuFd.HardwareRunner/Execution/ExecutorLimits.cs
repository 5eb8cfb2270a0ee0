namespace IommuFd.HardwareRunner.Execution;

/// <summary>Time limits of one run.</summary>
/// <param name="PerTest">Default limit of one case.</param>
/// <param name="WholeRun">Limit of the whole run; what is left when it passes is reported as not run.</param>
public sealed record ExecutorLimits(TimeSpan PerTest, TimeSpan WholeRun);
