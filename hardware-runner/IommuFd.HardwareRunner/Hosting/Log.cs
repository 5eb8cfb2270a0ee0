using Microsoft.Extensions.Logging;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>The runner's log messages (stderr; stdout carries KTAP or probe output).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Run {RunId}: {GroupCount} group(s), results in {OutputDirectory}")]
    public static partial void RunStarting(ILogger logger, string runId, int groupCount, string outputDirectory);

    [LoggerMessage(2, LogLevel.Information, "Group {Group}: {Description}")]
    public static partial void GroupPlanned(ILogger logger, string group, string description);

    [LoggerMessage(3, LogLevel.Warning, "Backend {Backend} unavailable: {Reason}")]
    public static partial void BackendUnavailable(ILogger logger, string backend, string reason);

    [LoggerMessage(4, LogLevel.Information, "Run {RunId} finished: exit code {ExitCode}, {Pass} pass, {Fail} fail, {Skip} skip, {Other} other{Incomplete}")]
    public static partial void RunFinished(ILogger logger, string runId, int exitCode, int pass, int fail, int skip, int other, string incomplete);

    [LoggerMessage(5, LogLevel.Information, "Building the test kernel (about 6 minutes on 2 cores): {Script}")]
    public static partial void KernelBuilding(ILogger logger, string script);

    [LoggerMessage(6, LogLevel.Information, "{Line}")]
    public static partial void KernelBuildLine(ILogger logger, string line);

    [LoggerMessage(7, LogLevel.Information, "VM {Model}: booting {Kernel}")]
    public static partial void VmPlanned(ILogger logger, string model, string kernel);

    [LoggerMessage(8, LogLevel.Warning, "VM not used: {Reason}")]
    public static partial void VmSkipped(ILogger logger, string reason);

    [LoggerMessage(9, LogLevel.Information, "{Message}")]
    public static partial void Device(ILogger logger, string message);

    [LoggerMessage(10, LogLevel.Error, "The {Verb} command failed")]
    public static partial void VerbFailed(ILogger logger, Exception exception, string verb);

    [LoggerMessage(11, LogLevel.Error, "{Message}")]
    public static partial void Problem(ILogger logger, string message);

    [LoggerMessage(13, LogLevel.Information, "{Line}")]
    public static partial void Progress(ILogger logger, string line);

    [LoggerMessage(12, LogLevel.Warning, "LAVA signal: {Message}")]
    public static partial void LavaProblem(ILogger logger, string message);
}
