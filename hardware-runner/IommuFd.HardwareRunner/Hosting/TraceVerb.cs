using IommuFd.Bindings.Backends;
using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Probe;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Suites;
using Microsoft.Extensions.Options;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary><c>replay FILE --backend B</c>: one trace on one backend, each step's result as one JSON
/// line on stdout (docs/traces.md) and the case's KTAP result on stderr. <c>diff FILE</c>: one trace
/// on two backends, KTAP on stdout with the first divergence as diagnostics. Any trace file works,
/// a repro file of a run included. A backend that is missing fails: it was asked for by name. The
/// file's existence is checked with the options, before anything runs.</summary>
public sealed class TraceVerb(IOptions<RunnerOptions> options, VerbRequest request, RunnerComponents components, ConsoleStreams console)
    : IVerb
{
    /// <inheritdoc />
    public int Run(CancellationToken stoppingToken)
    {
        if (components.Suite is not { } suite)
            return Problem("this runner was built without the conformance suite (IommuFd.Conformance)");
        string path = Path.GetFullPath(request.TraceFile ?? "");
        var trace = new TraceFile(path, CaseNames.Segment(Path.GetFileNameWithoutExtension(path)));
        bool diff = request.Verb == "diff";
        string[] backends = diff ? [request.Backend, request.OtherBackend] : [request.Backend];
        foreach (string b in backends)
        {
            string? missing = components.Backends.TryGetValue(b, out IBackendProvider? p) ? p.Unavailable() : $"unknown backend '{b}'";
            if (missing is not null)
                return Problem($"backend {b} unavailable: {missing}");
        }

        TraceReplay? replay = null;
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
                replay = suite.Replay(trace, b, ct);
                return replay.Outcome;
            });
        var group = new StaticTestGroup(diff ? $"diff_{backends[0]}_{backends[1]}" : backends[0], $"{request.Verb} {path}", [testCase]);
        var environment = new RunEnvironment($"{DateTime.UtcNow:yyyyMMddTHHmmssZ}", options.Value.Origin, Environment.MachineName,
            HostProbe.Architecture(), HostKernel.Read(RunVerb.Paths(options.Value)), request.CommandLine);
        // replay keeps stdout for the step lines; its verdict goes to stderr.
        var executor = new SuiteExecutor(new ExecutorLimits(options.Value.TestTimeout, options.Value.RunTimeout), [new KtapSink(diff ? console.Out : console.Error)]);
        RunSummary summary = executor.Execute(environment, [group], stoppingToken);
        // A replay abandoned at its time limit may still finish later: print only what ended in time.
        if (!diff && summary.Results is [{ Status: not (TestStatus.Timeout or TestStatus.NotRun) }] && replay is { } finished)
        {
            foreach (string step in finished.Steps)
                console.Out.WriteLine(step);
            console.Out.Flush();
        }
        return summary.ExitCode;
    }

    private int Problem(string message)
    {
        console.Error.WriteLine($"{RunnerProgram.Name}: {message}");
        return ExitCodes.Fail;
    }
}
