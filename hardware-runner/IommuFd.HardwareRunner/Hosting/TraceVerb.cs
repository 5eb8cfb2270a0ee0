using IommuFd.Bindings.Backends;
using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Suites;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary><c>replay FILE --backend B</c> and <c>diff FILE</c>: one trace, one case, KTAP on stdout,
/// the first divergence as diagnostics. A missing backend fails: it was asked for by name.</summary>
public sealed class TraceVerb(IOptions<RunnerOptions> options, VerbRequest request, RunnerComponents components, ConsoleStreams console, ILogger<TraceVerb> logger)
    : IVerb
{
    /// <inheritdoc />
    public int Run(CancellationToken stoppingToken)
    {
        if (components.Suite is not { } suite)
        {
            Log.Problem(logger, "this runner was built without the conformance suite (IommuFd.Conformance)");
            return ExitCodes.Fail;
        }
        string path = Path.GetFullPath(request.TraceFile ?? "");
        if (!File.Exists(path))
        {
            Log.Problem(logger, $"trace file not found: {path}");
            return ExitCodes.Usage;
        }

        var trace = new TraceFile(path, CaseNames.Segment(Path.GetFileNameWithoutExtension(path)));
        bool diff = request.Verb == "diff";
        string[] backends = diff ? [request.Backend, request.OtherBackend] : [request.Backend];
        foreach (string b in backends)
        {
            string? missing = components.Backends.TryGetValue(b, out IBackendProvider? p) ? p.Unavailable() : $"unknown backend '{b}'";
            if (missing is not null)
            {
                Log.Problem(logger, $"backend {b} unavailable: {missing}");
                return ExitCodes.Fail;
            }
        }

        RunnerTestCase testCase = diff
            ? new RunnerTestCase(CaseNames.TraceDiff(trace), ct =>
            {
                using IIommuBackend l = components.Backends[backends[0]].Create();
                using IIommuBackend r = components.Backends[backends[1]].Create();
                return suite.Diff(trace, l, r, ct);
            })
            : new RunnerTestCase(CaseNames.Trace(trace), ct =>
            {
                using IIommuBackend b = components.Backends[backends[0]].Create();
                return suite.Replay(trace, b, ct);
            });
        var group = new StaticTestGroup(diff ? $"diff_{backends[0]}_{backends[1]}" : backends[0], $"{request.Verb} {path}", [testCase]);
        var environment = new RunEnvironment($"{DateTime.UtcNow:yyyyMMddTHHmmssZ}", options.Value.Origin, Environment.MachineName,
            Probe.HostProbe.Architecture(), new KernelIdentity(Environment.OSVersion.Version.ToString(), "unknown", "host kernel"), request.CommandLine);
        var executor = new SuiteExecutor(new ExecutorLimits(options.Value.TestTimeout, options.Value.RunTimeout), [new KtapSink(console.Out)]);
        return executor.Execute(environment, [group], stoppingToken).ExitCode;
    }
}
