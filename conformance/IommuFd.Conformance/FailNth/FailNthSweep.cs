using Stopwatch = System.Diagnostics.Stopwatch;
using System.Runtime.ExceptionServices;
using IommuFd.Bindings;
using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Diff;
using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.FailNth;

/// <summary>
/// The differential form of the kernel's iommufd_fail_nth selftest. A trace is replayed on the kernel
/// once without injection, then with the Nth fault point failing for N = 1, 2, ... until a run injects
/// no fault. Injection is armed only inside the trace's ioctls (<see cref="FaultInjectingBackend"/>),
/// on one dedicated OS thread (fail-nth is per task). After each run:
/// <list type="bullet">
/// <item>the call that took the fault returned success or a clean errno (<see cref="FailNthOptions.CleanErrnos"/>);</item>
/// <item>the kernel log gained no report (<see cref="KernelReports"/>);</item>
/// <item>the engine, replaying the same trace with only the fault-failed call left out (it answers
/// the kernel's errno without running), agrees with the kernel on every step;</item>
/// <item>the session's state probed through the uAPI afterwards (<see cref="StateProbe"/>) is the same.</item>
/// </list>
/// </summary>
/// <param name="kernel">The real kernel.</param>
/// <param name="engine">The engine (or any model) to compare with.</param>
/// <param name="openInjector">Opens the fault injector of the calling thread (called on the sweep's thread).</param>
/// <param name="kernelLog">Returns the kernel log lines logged since its previous call (called on the sweep's thread).</param>
/// <param name="options">Settings.</param>
public sealed class FailNthSweep(IIommuBackend kernel, IIommuBackend engine, Func<IFaultInjector> openInjector,
                                 Func<IReadOnlyList<string>> kernelLog, FailNthOptions options)
{
    private const int MaxLogLinesPerRun = 80;

    /// <summary>Sweeps <paramref name="trace"/> on a new thread that does all the kernel calls.</summary>
    /// <exception cref="TraceFormatException">The trace cannot be replayed as written.</exception>
    public FailNthResult Run(Trace trace)
    {
        FailNthResult? result = null;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = RunOnThisThread(trace);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }, maxStackSize: 4 << 20) { Name = "fail-nth " + trace.Name };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result!;
    }

    private FailNthResult RunOnThisThread(Trace trace)
    {
        var watch = Stopwatch.StartNew();
        List<int> ioctlSteps = trace.Steps.Select((step, index) => (step, index)).Where(s => s.step is IoctlStep).Select(s => s.index).ToList();
        IFaultInjector injector = openInjector();
        try
        {
            var faulting = new FaultInjectingBackend(kernel, injector);
            kernelLog(); // the log so far is not this sweep's
            var runs = new List<FailNthRun>();
            for (uint nth = 0; ; nth++)
            {
                FailNthRun run = RunOnce(trace, ioctlSteps, faulting, nth);
                runs.Add(run);
                if (nth > 0 && !run.Injected)
                    break;
                if (nth >= options.MaxNth)
                {
                    runs[^1] = run with { Problems = [.. run.Problems, $"still injecting at N = {nth}: raise FailNthOptions.MaxNth"] };
                    break;
                }
            }
            // Reports the kernel logs late (deferred frees, RCU) after the last run belong to the sweep too.
            if (KernelReports.Find(kernelLog()) is { Count: > 0 } late)
                runs[^1] = runs[^1] with { Problems = [.. runs[^1].Problems, "the kernel log reports a problem after the last run: " + string.Join(" | ", late.Take(5))] };
            return new FailNthResult(trace.Name, runs, watch.Elapsed);
        }
        finally
        {
            (injector as IDisposable)?.Dispose();
        }
    }

    private FailNthRun RunOnce(Trace trace, List<int> ioctlSteps, FaultInjectingBackend faulting, uint nth)
    {
        var problems = new List<string>();
        IReadOnlyList<string> kernelState = [];
        faulting.Start(nth);
        IReadOnlyList<StepResult> onKernel;
        try
        {
            onKernel = TraceReplayer.Replay(faulting, trace, fds =>
            {
                faulting.Stop();
                kernelState = StateProbe.Capture(kernel, fds, options.Window, options.MaxObjectId);
            });
        }
        finally
        {
            faulting.Stop();
        }

        IReadOnlyList<string> log = kernelLog();
        if (KernelReports.Find(log) is { Count: > 0 } reports)
            problems.Add($"the kernel log reports a problem ({string.Join(" | ", reports.Take(5))}); log of this run:\n  " +
                         string.Join("\n  ", log.Take(MaxLogLinesPerRun)));

        int? step = null;
        string? call = null;
        int errno = 0;
        IIommuBackend engineSide = engine;
        if (faulting.InjectedIoctl is int ordinal)
        {
            step = ioctlSteps[ordinal];
            call = ((IoctlStep)trace.Steps[step.Value]).Command;
            errno = onKernel[step.Value].Errno;
            if (errno != 0)
            {
                if (!options.CleanErrnos.Contains(errno))
                    problems.Add($"step {step} ({call}) took the injected fault and failed with {ErrnoName(errno)}, " +
                                 $"not a clean errno ({string.Join(", ", options.CleanErrnos.Select(ErrnoName))})");
                engineSide = new FailingCallBackend(engine, ordinal, errno);
            }
        }

        if (step is not null && errno == 0 && !options.AbsorbedFaultsModelled)
            return new FailNthRun(nth, step, call, errno, problems);

        IReadOnlyList<string> engineState = [];
        IReadOnlyList<StepResult> onEngine = TraceReplayer.Replay(engineSide, trace,
            fds => engineState = StateProbe.Capture(engine, fds, options.Window, options.MaxObjectId));

        if (TraceDiff.Compare(onKernel, onEngine) is { } divergence)
        {
            var report = new DivergenceReport();
            report.Add(DivergenceEntry.Create(trace, "kernel", "engine", divergence));
            problems.Add("the calls diverge from the engine:\n" + report.ToText());
        }
        if (StateDifference(kernelState, engineState) is { } difference)
            problems.Add("the state after the sequence differs:\n" + difference);

        return new FailNthRun(nth, step, call, errno, problems);
    }

    private static string? StateDifference(IReadOnlyList<string> kernelState, IReadOnlyList<string> engineState)
    {
        var lines = new List<string>();
        for (int i = 0; i < Math.Max(kernelState.Count, engineState.Count); i++)
        {
            string k = i < kernelState.Count ? kernelState[i] : "(nothing)";
            string e = i < engineState.Count ? engineState[i] : "(nothing)";
            if (k != e)
                lines.Add($"  kernel: {k}\n  engine: {e}");
        }
        return lines.Count == 0 ? null : string.Join('\n', lines);
    }

    internal static string ErrnoName(int errno) => Enum.IsDefined((Errno)errno) ? ((Errno)errno).ToString() : $"errno {errno}";
}
