using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>The one-shot hosted service: runs the requested verb, records its exit code and stops
/// the host. Since .NET 10 <see cref="ExecuteAsync"/> already starts on a background thread; the
/// verb's work is still pushed to the thread pool explicitly so nothing depends on that.</summary>
public sealed class RunnerService(IVerb verb, VerbRequest request, ExitCodeHolder exitCode, IHostApplicationLifetime lifetime, ILogger<RunnerService> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            exitCode.Code = await Task.Run(() => verb.Run(stoppingToken), CancellationToken.None);
        }
        catch (Exception e)
        {
            Log.VerbFailed(logger, e, request.Verb);
            exitCode.Code = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
