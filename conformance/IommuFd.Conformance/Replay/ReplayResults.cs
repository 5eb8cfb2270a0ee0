using System.Collections;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Replay;

/// <summary>The results of one replay, one per step in order, looked up by the step's label
/// (<c>r["map"]</c>) so that inserting a step never shifts what a test checks.</summary>
public sealed class ReplayResults(Trace trace, IReadOnlyList<StepResult> results) : IReadOnlyList<StepResult>
{
    /// <summary>The trace that was replayed.</summary>
    public Trace Trace { get; } = trace;

    /// <summary>The result of the step labelled <paramref name="label"/>.</summary>
    /// <exception cref="KeyNotFoundException">No step of the trace has that label.</exception>
    public StepResult this[string label] => results[Trace.IndexOf(label)];

    /// <summary>The result of step <paramref name="index"/> (for sweeps over all steps; tests name steps by label).</summary>
    public StepResult this[int index] => results[index];

    /// <inheritdoc />
    public int Count => results.Count;

    /// <inheritdoc />
    public IEnumerator<StepResult> GetEnumerator() => results.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
