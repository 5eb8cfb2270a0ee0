using System.Collections;
using System.Text.Json.Nodes;

namespace IommuFd.Conformance.Traces.Building;

/// <summary>Fields of an ioctl argument by their C names, written in the order they are set:
/// <c>new Args { ["ioas_id"] = ioas.Id, ["__reserved"] = 1 }</c>. The typed methods of
/// <see cref="TraceBuilder"/> build these; write them by hand only for what no typed method says (odd
/// orders, reserved fields, wrong sizes), through <see cref="TraceBuilder.Ioctl"/> or a typed method's
/// <c>extra</c>.</summary>
public sealed class Args : IEnumerable<KeyValuePair<string, TraceValue>>
{
    private readonly List<KeyValuePair<string, TraceValue>> _fields = [];

    /// <summary>Sets a field; a field set again keeps its first position.</summary>
    public TraceValue this[string field]
    {
        get => _fields.First(f => f.Key == field).Value;
        set
        {
            int at = _fields.FindIndex(f => f.Key == field);
            if (at >= 0)
                _fields[at] = new(field, value);
            else
                _fields.Add(new(field, value));
        }
    }

    /// <summary>Sets <paramref name="field"/> when <paramref name="value"/> is given (null: the field is omitted, so zero).</summary>
    public Args With(string field, TraceValue? value)
    {
        if (value is { } v)
            this[field] = v;
        return this;
    }

    /// <summary>Appends every field of <paramref name="more"/> (null: nothing).</summary>
    public Args With(Args? more)
    {
        if (more is not null)
            foreach (KeyValuePair<string, TraceValue> field in more._fields)
                this[field.Key] = field.Value;
        return this;
    }

    /// <summary>The fields as a JSON object.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (KeyValuePair<string, TraceValue> field in _fields)
            json[field.Key] = field.Value.ToJson();
        return json;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, TraceValue>> GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
