namespace IommuFd.HardwareRunner.Hosting;

/// <summary>Carries the verb's exit code out of the hosted service to <c>Main</c>.</summary>
public sealed class ExitCodeHolder
{
    /// <summary>The code to exit with; 1 until the verb sets it, so an early death is a failure.</summary>
    public int Code { get; set; } = 1;
}
