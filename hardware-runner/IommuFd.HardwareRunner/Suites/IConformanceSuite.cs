using IommuFd.Bindings.Backends;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Suites;

/// <summary>A recorded trace file the suite can replay.</summary>
/// <param name="Path">Full path.</param>
/// <param name="CaseName">Its case name segment (<c>[a-zA-Z0-9_-]</c>).</param>
/// <param name="Root">The traces folder it was found in (where its <c>requires.json</c> files stop); null: none known.</param>
public sealed record TraceFile(string Path, string CaseName, string? Root = null);

/// <summary>A trace replayed on one backend.</summary>
/// <param name="Outcome">The case's outcome.</param>
/// <param name="Steps">Each step's result as one JSON line (docs/traces.md, "Results"); empty when the replay did not finish.</param>
public sealed record TraceReplay(CaseOutcome Outcome, IReadOnlyList<string> Steps);

/// <summary>The conformance work the runner drives; implemented over IommuFd.Conformance (trace
/// replay, trace diff, seeded random sequences). Every call is one test case's body.</summary>
public interface IConformanceSuite
{
    /// <summary>The traces in <paramref name="directory"/>, in a stable order.</summary>
    IReadOnlyList<TraceFile> DiscoverTraces(string directory);

    /// <summary>Replays a trace on one backend: every step must answer as the kernel does, with a
    /// value or an errno, never an exception.</summary>
    TraceReplay Replay(TraceFile trace, IIommuBackend backend, CancellationToken cancellationToken);

    /// <summary>Replays a trace on two backends and compares them step by step.</summary>
    CaseOutcome Diff(TraceFile trace, IIommuBackend left, IIommuBackend right, CancellationToken cancellationToken);

    /// <summary>Generates the sequence for <paramref name="seed"/> and runs it on one backend: every
    /// step must answer the kernel's way (a result or an errno, never an exception).</summary>
    CaseOutcome RunRandom(int seed, int length, IIommuBackend backend, CancellationToken cancellationToken);

    /// <summary>Generates the sequence for <paramref name="seed"/>, runs it on both backends and compares them.</summary>
    CaseOutcome DiffRandom(int seed, int length, IIommuBackend left, IIommuBackend right, CancellationToken cancellationToken);
}
