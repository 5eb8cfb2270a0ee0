using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Random;
using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Diff;

/// <summary>The replays of one trace on two backends and where they first disagree.</summary>
/// <param name="Trace">The trace.</param>
/// <param name="A">Results on the first backend.</param>
/// <param name="B">Results on the second backend.</param>
/// <param name="Divergence">The first divergence, or null when every step matched.</param>
public sealed record DifferentialRun(Trace Trace, IReadOnlyList<StepResult> A, IReadOnlyList<StepResult> B, Divergence? Divergence)
{
    /// <summary>Replays <paramref name="trace"/> on both backends and diffs every step.</summary>
    public static DifferentialRun Execute(Trace trace, IIommuBackend a, IIommuBackend b)
    {
        IReadOnlyList<StepResult> left = TraceReplayer.Replay(a, trace);
        IReadOnlyList<StepResult> right = TraceReplayer.Replay(b, trace);
        return new DifferentialRun(trace, left, right, TraceDiff.Compare(left, right));
    }

    /// <summary>Shrinks a diverging trace to a small trace that still diverges on the same backends.</summary>
    public static Trace Minimize(Trace trace, IIommuBackend a, IIommuBackend b, int maxAttempts = 1000) =>
        Shrinker.Shrink(trace, candidate =>
        {
            try
            {
                return Execute(candidate, a, b).Divergence is not null;
            }
            catch (TraceFormatException)
            {
                return false; // a candidate that no longer replays is not a smaller failure
            }
        }, maxAttempts);
}
