using System.Globalization;
using System.Text.Json.Nodes;

namespace IommuFd.Conformance.Traces.Building;

/// <summary>A field value of a step as the trace format writes it: a number, or a reference that the
/// replay resolves (an earlier step's output <c>"$N.field"</c>, a buffer address <c>"@a+OFF"</c>, a
/// trace fd's number <c>"%K"</c>). Build references from handles (<see cref="StepHandle.Out"/>,
/// <see cref="TraceBuffer.At"/>, <see cref="TraceFd.Number"/>), never as text.</summary>
public readonly struct TraceValue
{
    private readonly JsonNode? _node;

    private TraceValue(JsonNode node) => _node = node;

    /// <summary>The value as the JSON it is written as.</summary>
    public JsonNode ToJson() => (_node ?? JsonValue.Create(0))!.DeepClone();

    /// <summary>A number.</summary>
    public static implicit operator TraceValue(int value) => new(JsonValue.Create(value));

    /// <summary>A number.</summary>
    public static implicit operator TraceValue(uint value) => new(JsonValue.Create(value));

    /// <summary>A number.</summary>
    public static implicit operator TraceValue(long value) => new(JsonValue.Create(value));

    /// <summary>A number.</summary>
    public static implicit operator TraceValue(ulong value) => new(JsonValue.Create(value));

    /// <summary>A number written as <c>"0x..."</c>, where a trace writes it so.</summary>
    public static TraceValue Hex(ulong value) => new(JsonValue.Create("0x" + value.ToString("x", CultureInfo.InvariantCulture)));

    /// <summary>An array field (<c>{"__reserved":[0,1,0]}</c>).</summary>
    public static TraceValue Array(params TraceValue[] elements) => new(new JsonArray(elements.Select(e => e.ToJson()).ToArray()));

    /// <summary>Nested fields (a struct member or a union member), in the order given.</summary>
    public static implicit operator TraceValue(Args fields) => new(fields.ToJson());

    internal static TraceValue Reference(string text) => new(JsonValue.Create(text));

    /// <inheritdoc />
    public override string ToString() => ToJson().ToJsonString(Json.Compact);
}
