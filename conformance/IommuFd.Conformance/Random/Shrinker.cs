using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Random;

/// <summary>Reduces a failing trace to a small one that still fails: removes chunks of steps,
/// halving the chunk size down to single steps (delta debugging), until no removal keeps the
/// failure or the attempt budget is spent.</summary>
public static class Shrinker
{
    /// <summary>The smallest trace found for which <paramref name="stillFails"/> holds.</summary>
    /// <param name="trace">A trace for which <paramref name="stillFails"/> holds.</param>
    /// <param name="stillFails">Replays a candidate and says whether the failure remains; a candidate
    /// that cannot be replayed should return false.</param>
    /// <param name="maxAttempts">How many candidates to try at most.</param>
    public static Trace Shrink(Trace trace, Func<Trace, bool> stillFails, int maxAttempts = 1000)
    {
        Trace best = trace;
        int attempts = 0;
        int chunk = Math.Max(1, best.Steps.Count / 2);
        while (attempts < maxAttempts)
        {
            bool progressed = false;
            for (int start = best.Steps.Count - chunk; start > -chunk && attempts < maxAttempts; start -= chunk)
            {
                int from = Math.Max(0, start);
                Trace candidate = TraceEditor.Remove(best, Enumerable.Range(from, start + chunk - from));
                if (candidate.Steps.Count == best.Steps.Count)
                    continue;
                attempts++;
                if (stillFails(candidate))
                {
                    best = candidate;
                    progressed = true;
                    start = Math.Min(start, best.Steps.Count); // indexes moved; continue from here
                }
            }
            if (!progressed)
            {
                if (chunk == 1)
                    break;
                chunk = Math.Max(1, chunk / 2);
            }
        }
        return best;
    }
}
