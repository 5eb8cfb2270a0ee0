using System.Globalization;
using System.Text.Json.Nodes;
using IommuFd.Bindings;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>Assertions on step results that print the whole result on failure.</summary>
internal static class StepAssert
{
    public static void Succeeds(StepResult result, long rc = 0) =>
        Assert.That((result.Rc, result.Errno), Is.EqualTo((rc, 0)), () => $"step {result.Step} should return {rc}: {result}");

    /// <summary>Every step from the one labelled <paramref name="from"/> to the one labelled <paramref name="until"/>
    /// (null: the end) succeeds, but those labelled in <paramref name="except"/>.</summary>
    public static void AllSucceed(ReplayResults r, string from, string? until = null, IReadOnlyCollection<string>? except = null)
    {
        foreach ((TraceStep step, StepResult result) in r.Steps(from, until))
            if (step.Label is null || except?.Contains(step.Label) != true)
                Assert.That(result.Errno, Is.EqualTo(0), () => $"step {result.Step} ({step.Label ?? step.ToJsonLine()}): {result}");
    }

    public static void Fails(StepResult result, int errno) =>
        Assert.That((result.Rc, result.Errno), Is.EqualTo((-1L, errno)), () => $"step {result.Step} should fail with errno {errno}: {result}");

    /// <summary>The field at <paramref name="path"/> (dots and [i]) of the step's struct output.</summary>
    public static JsonNode Field(StepResult result, string path)
    {
        JsonNode? node = result.Arg;
        foreach (string segment in path.Replace("[", ".").Replace("]", "").Split('.', StringSplitOptions.RemoveEmptyEntries))
            node = node is JsonArray array ? array[int.Parse(segment, CultureInfo.InvariantCulture)] : node?[segment];
        Assert.That(node, Is.Not.Null, () => $"step {result.Step} has no field {path}: {result}");
        return node!;
    }

    public static ulong Number(StepResult result, string path) =>
        ulong.Parse(Field(result, path).ToJsonString(), CultureInfo.InvariantCulture);

    public static void FieldIs(StepResult result, string path, ulong expected) =>
        Assert.That(Field(result, path).ToJsonString(), Is.EqualTo(expected.ToString(CultureInfo.InvariantCulture)),
                    () => $"step {result.Step} field {path}: {result}");

    public static void FieldIs(StepResult result, string path, string expectedSymbol) =>
        Assert.That(Field(result, path) is JsonValue v && v.TryGetValue(out string? text) ? text : null, Is.EqualTo(expectedSymbol),
                    () => $"step {result.Step} field {path}: {result}");

    /// <summary>The vEVENTs a read of a vEVENT queue's fd printed, each event's data
    /// <paramref name="dataLength"/> bytes (a lost-events header has none).</summary>
    public static IReadOnlyList<Vevent> Vevents(StepResult result, int dataLength)
    {
        Assert.That(result.Hex, Is.Not.Null, () => $"step {result.Step} is not a read: {result}");
        return VeventQueue.Parse(Convert.FromHexString(result.Hex!), dataLength);
    }

    /// <summary>The bytes a read step printed, as 64-bit little-endian words.</summary>
    public static ulong[] Words(StepResult result)
    {
        Assert.That(result.Hex, Is.Not.Null, () => $"step {result.Step} is not a read: {result}");
        byte[] bytes = Convert.FromHexString(result.Hex!);
        var words = new ulong[bytes.Length / 8];
        for (int i = 0; i < words.Length; i++)
            words[i] = BitConverter.ToUInt64(bytes, i * 8);
        return words;
    }
}
