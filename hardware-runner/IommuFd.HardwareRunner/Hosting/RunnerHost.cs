using IommuFd.HardwareRunner.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using IommuFd.Interop;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>Builds and runs the generic host for one verb. Configuration, lowest to highest
/// precedence: the embedded appsettings.json (defaults that work on a fresh machine), an optional
/// <c>IommuFd.HardwareRunner.json</c> in the working directory, <c>IOMMUFD_RUNNER_*</c> environment
/// variables, then the command line.</summary>
public static class RunnerHost
{
    /// <summary>Environment variable prefix (<c>IOMMUFD_RUNNER_TestTimeoutSeconds=30</c>, <c>IOMMUFD_RUNNER_VmSettings__MemoryMiB=4096</c>).</summary>
    public const string EnvironmentPrefix = EnvironmentVariables.RunnerPrefix;

    /// <summary>An optional settings file read from the working directory: the program's name and <c>.json</c>.</summary>
    public static readonly string LocalSettingsFile = RunnerProgram.Name + ".json";

    /// <summary>Builds the host. <paramref name="components"/> and <paramref name="console"/> default to production ones.</summary>
    public static IHost Build(VerbRequest request, IReadOnlyDictionary<string, string?> commandLine, RunnerComponents? components = null, ConsoleStreams? console = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.AddJsonStream(EmbeddedSettings.Open());
        builder.Configuration.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), LocalSettingsFile), optional: true);
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddInMemoryCollection(commandLine);

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        // stdout belongs to KTAP and probe output: every log line goes to stderr.
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        builder.Services.AddOptions<RunnerOptions>().Bind(builder.Configuration).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RunnerOptions>, RunnerOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<RunnerOptions>, RunnerPathsValidator>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton(request);
        builder.Services.AddSingleton(components ?? ProductionComponents.Create());
        builder.Services.AddSingleton(console ?? ConsoleStreams.System());
        builder.Services.AddSingleton<ExitCodeHolder>();
        builder.Services.AddSingleton<IVerb>(sp => request.Verb switch
        {
            "probe" => ActivatorUtilities.CreateInstance<ProbeVerb>(sp),
            "run" or "vm" => ActivatorUtilities.CreateInstance<RunVerb>(sp),
            "replay" or "diff" => ActivatorUtilities.CreateInstance<TraceVerb>(sp),
            _ => throw new InvalidOperationException($"unknown verb {request.Verb}"),
        });
        builder.Services.AddHostedService<RunnerService>();
        return builder.Build();
    }

    /// <summary>Runs the verb to its end and returns the exit code. Invalid options and paths are
    /// reported on stderr, one line each, with exit code 64 and nothing run.</summary>
    public static async Task<int> RunAsync(VerbRequest request, IReadOnlyDictionary<string, string?> commandLine, RunnerComponents? components = null, ConsoleStreams? console = null)
    {
        TextWriter error = (console ?? ConsoleStreams.System()).Error;
        try
        {
            using IHost host = Build(request, commandLine, components, console);
            ExitCodeHolder exitCode = host.Services.GetRequiredService<ExitCodeHolder>();
            await host.RunAsync();
            return exitCode.Code;
        }
        catch (OptionsValidationException e)
        {
            foreach (string failure in e.Failures)
                error.WriteLine($"{RunnerProgram.Name}: {failure}");
            return Execution.ExitCodes.Usage;
        }
        catch (InvalidDataException e)
        {
            error.WriteLine($"{RunnerProgram.Name}: invalid settings file: {e.Message}");
            return Execution.ExitCodes.Usage;
        }
        catch (InvalidOperationException e) when (ConfigurationErrors.Describe(e) is { } problem)
        {
            error.WriteLine($"{RunnerProgram.Name}: {problem}");
            return Execution.ExitCodes.Usage;
        }
    }
}
