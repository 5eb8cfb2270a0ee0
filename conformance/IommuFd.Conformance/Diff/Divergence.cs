using IommuFd.Conformance.Replay;

namespace IommuFd.Conformance.Diff;

/// <summary>One field that differs between two results of the same step.</summary>
/// <param name="Path">Where: <c>rc</c>, <c>errno</c>, <c>arg.iova</c>, <c>arg.__reserved[1]</c>, <c>tail</c>, <c>hex</c>.</param>
/// <param name="A">The first result's value as JSON text, or null when absent.</param>
/// <param name="B">The second result's value as JSON text, or null when absent.</param>
public sealed record FieldDifference(string Path, string? A, string? B);

/// <summary>The first step at which two replays of one trace disagree.</summary>
/// <param name="Step">0-based step number.</param>
/// <param name="A">The first replay's result for that step (null if it has none).</param>
/// <param name="B">The second replay's result for that step (null if it has none).</param>
/// <param name="Differences">Every field that differs, in field order.</param>
public sealed record Divergence(int Step, StepResult? A, StepResult? B, IReadOnlyList<FieldDifference> Differences);
