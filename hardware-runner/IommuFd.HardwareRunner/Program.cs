using System.CommandLine;
using IommuFd.HardwareRunner.Cli;
using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Hosting;
using IommuFd.HardwareRunner.Model;

Command root = RunnerCommandLine.Build((request, configuration, _) => RunnerHost.RunAsync(request, configuration));
ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // One line per problem, in the runner's own name; nothing runs.
    foreach (var error in parsed.Errors)
        Console.Error.WriteLine($"{RunnerProgram.Name}: {error.Message} (see --help)");
    return ExitCodes.Usage;
}
// The host handles SIGTERM/Ctrl+C (its stopping token reaches the verb), so System.CommandLine's
// own termination handling is turned off.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
