using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IommuFd.Conformance.Replay;

/// <summary>What one step did on one backend, as the JSON line replay prints:
/// <c>{"step":N,"rc":R,"errno":E,"arg":{...},"tail":"hex","hex":"..."}</c>.</summary>
/// <remarks><c>rc</c> is libc-style: the call's non-negative result, or -1 with <c>errno</c> set.
/// <c>arg</c> holds every field of the struct after the call (ioctls with a struct argument);
/// <c>tail</c> the bytes after the struct (when the step gave a tail); <c>hex</c> the bytes a
/// <c>read</c> step read. User addresses print as <c>"@buf+OFF"</c>.</remarks>
public sealed class StepResult
{
    /// <summary>0-based step number (= line number - 1).</summary>
    public required int Step { get; init; }

    /// <summary>The call's result: non-negative on success, -1 on failure.</summary>
    public long Rc { get; init; }

    /// <summary>The errno on failure, else 0.</summary>
    public int Errno { get; init; }

    /// <summary>Every field of the argument struct after the call, by C name; null if none.</summary>
    public JsonObject? Arg { get; init; }

    /// <summary>Hex of the bytes after the struct after the call, when the step had a tail.</summary>
    public string? Tail { get; init; }

    /// <summary>Hex of the bytes a read step read.</summary>
    public string? Hex { get; init; }

    /// <summary>Builds the libc-style rc/errno pair from a backend result (&gt;= 0 or -errno).</summary>
    public static (long Rc, int Errno) FromBackend(long result) => result >= 0 ? (result, 0) : (-1, checked((int)-result));

    /// <summary>The result as a JSON object in the documented key order.</summary>
    public JsonObject ToJsonObject()
    {
        var json = new JsonObject { ["step"] = Step, ["rc"] = Rc, ["errno"] = Errno };
        if (Arg is not null)
            json["arg"] = Arg.DeepClone();
        if (Tail is not null)
            json["tail"] = Tail;
        if (Hex is not null)
            json["hex"] = Hex;
        return json;
    }

    /// <summary>The result as one JSON line.</summary>
    public string ToJson() => ToJsonObject().ToJsonString(Json.Compact);

    /// <inheritdoc />
    public override string ToString() => ToJson();

    /// <summary>Parses a line printed by <see cref="ToJson"/>.</summary>
    /// <exception cref="TraceFormatException">Not a result line.</exception>
    public static StepResult Parse(string line)
    {
        try
        {
            if (JsonNode.Parse(line) is not JsonObject json)
                throw new TraceFormatException("a result must be a JSON object");
            return new StepResult
            {
                Step = checked((int)Integer(json, "step")),
                Rc = Integer(json, "rc"),
                Errno = checked((int)Integer(json, "errno")),
                Arg = json["arg"] is null ? null : json["arg"] as JsonObject ?? throw new TraceFormatException("'arg' must be an object"),
                Tail = json["tail"]?.GetValue<string>(),
                Hex = json["hex"]?.GetValue<string>(),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new TraceFormatException($"not a step result: {e.Message}", e);
        }
    }

    /// <summary>Parses JSON Lines of results (as written by the replay verb); blank lines are skipped.</summary>
    public static IReadOnlyList<StepResult> ParseLines(string text)
    {
        var results = new List<StepResult>();
        int line = 0;
        foreach (string raw in text.Replace("\r\n", "\n").Split('\n'))
        {
            line++;
            if (string.IsNullOrWhiteSpace(raw))
                continue;
            try
            {
                results.Add(Parse(raw));
            }
            catch (TraceFormatException e)
            {
                throw new TraceFormatException($"line {line}: {e.Message}", e);
            }
        }
        return results;
    }

    /// <summary>All results as JSON Lines, one per step.</summary>
    public static string ToJsonLines(IEnumerable<StepResult> results) =>
        string.Concat(results.Select(r => r.ToJson() + "\n"));

    private static long Integer(JsonObject json, string key)
    {
        JsonNode node = json[key] ?? throw new TraceFormatException($"missing '{key}'");
        return long.Parse(node.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }
}
