namespace IommuFd.HardwareRunner.Model;

/// <summary>The runner's one name, in messages, help and docs: its assembly's, which is also the
/// name of the built and published executable.</summary>
public static class RunnerProgram
{
    /// <summary><c>IommuFd.HardwareRunner</c>.</summary>
    public static readonly string Name = typeof(RunnerProgram).Assembly.GetName().Name!;
}
