namespace IommuFd.Conformance.Tests.Support;

/// <summary>Runs of steps of a replay named by the labels of their ends, for checks that sweep every step.</summary>
internal static class ReplaySteps
{
    /// <summary>The steps from the one labelled <paramref name="from"/> to the one labelled <paramref name="until"/>
    /// (both included; null: to the end), each with its result.</summary>
    public static IEnumerable<(TraceStep Step, StepResult Result)> Steps(this ReplayResults r, string from, string? until = null)
    {
        int last = until is null ? r.Count - 1 : r.Trace.IndexOf(until);
        for (int i = r.Trace.IndexOf(from); i <= last; i++)
            yield return (r.Trace.Steps[i], r[i]);
    }
}
