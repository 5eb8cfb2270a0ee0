using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>The one-shot hosted service: runs the requested verb, records its exit code and stops
/// the host. A file system problem (a disk that fills up, a folder that goes away) ends the verb
/// with one line on stderr; anything else is a bug and is logged with its stack trace. Since .NET 10 <see cref="ExecuteAsync"/> already starts on a background thread; the
/// verb's work is still pushed to the thread pool explicitly so nothing depends on that.</summary>
public sealed class RunnerService(IVerb verb, VerbRequest request, ExitCodeHolder exitCode, IHostApplicationLifetime lifetime, ConsoleStreams console, ILogger<RunnerService> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            exitCode.Code = await Task.Run(() => verb.Run(stoppingToken), CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"{Model.RunnerProgram.Name}: the {request.Verb} command failed: {e.Message}");
            exitCode.Code = Execution.ExitCodes.Fail;
        }
        catch (Exception e)
        {
            Log.VerbFailed(logger, e, request.Verb);
            exitCode.Code = Execution.ExitCodes.Fail;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
