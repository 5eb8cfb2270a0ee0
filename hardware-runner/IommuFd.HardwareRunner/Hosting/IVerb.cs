namespace IommuFd.HardwareRunner.Hosting;

/// <summary>One command of the runner. Returns the process exit code.</summary>
public interface IVerb
{
    /// <summary>Does the work; <paramref name="stoppingToken"/> fires on SIGTERM/Ctrl+C.</summary>
    int Run(CancellationToken stoppingToken);
}
