using System.Text.Json.Nodes;
using IommuFd.Conformance.Replay;

namespace IommuFd.Conformance.Diff;

/// <summary>Compares two replays of the same trace step by step, every field, nothing excluded.</summary>
/// <remarks>User addresses already print as <c>"@buf+OFF"</c> in both, so they compare as the same
/// symbolic value; any other difference is a divergence.</remarks>
public static class TraceDiff
{
    /// <summary>The first step whose results differ, or null when both are identical.</summary>
    public static Divergence? Compare(IReadOnlyList<StepResult> a, IReadOnlyList<StepResult> b)
    {
        int count = Math.Max(a.Count, b.Count);
        for (int step = 0; step < count; step++)
        {
            StepResult? left = step < a.Count ? a[step] : null;
            StepResult? right = step < b.Count ? b[step] : null;
            IReadOnlyList<FieldDifference> differences = CompareStep(left, right);
            if (differences.Count > 0)
                return new Divergence(step, left, right, differences);
        }
        return null;
    }

    /// <summary>Every field that differs between two results of one step.</summary>
    public static IReadOnlyList<FieldDifference> CompareStep(StepResult? a, StepResult? b)
    {
        List<KeyValuePair<string, string>> left = a is null ? [] : Flatten(a);
        List<KeyValuePair<string, string>> right = b is null ? [] : Flatten(b);
        var rightByPath = right.ToDictionary(p => p.Key, p => p.Value);
        var leftPaths = new HashSet<string>(left.Select(p => p.Key));
        var differences = new List<FieldDifference>();
        foreach ((string path, string value) in left)
        {
            string? other = rightByPath.GetValueOrDefault(path);
            if (other != value)
                differences.Add(new FieldDifference(path, value, other));
        }
        foreach ((string path, string value) in right)
            if (!leftPaths.Contains(path))
                differences.Add(new FieldDifference(path, null, value));
        return differences;
    }

    /// <summary>The result as (path, JSON text) leaves in field order: rc, errno, arg.*, tail, hex.</summary>
    public static List<KeyValuePair<string, string>> Flatten(StepResult result)
    {
        var leaves = new List<KeyValuePair<string, string>>
        {
            new("step", result.Step.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("rc", result.Rc.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("errno", result.Errno.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (result.Arg is not null)
            FlattenNode(result.Arg, "arg", leaves);
        if (result.Tail is not null)
            leaves.Add(new("tail", result.Tail));
        if (result.Hex is not null)
            leaves.Add(new("hex", result.Hex));
        return leaves;
    }

    private static void FlattenNode(JsonNode? node, string path, List<KeyValuePair<string, string>> leaves)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (KeyValuePair<string, JsonNode?> entry in obj)
                    FlattenNode(entry.Value, $"{path}.{entry.Key}", leaves);
                break;
            case JsonArray array:
                for (int i = 0; i < array.Count; i++)
                    FlattenNode(array[i], $"{path}[{i}]", leaves);
                break;
            default:
                leaves.Add(new(path, node?.ToJsonString(Json.Compact) ?? "null"));
                break;
        }
    }
}
