using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Replay;

/// <summary>Turns a trace value into the integer to store: a JSON number (negative numbers are
/// two's complement), a string <c>"0x..."</c>, a reference <c>"$N.field"</c> to the output of an
/// earlier step, a user address <c>"@a+OFF"</c> (or bytes of one, <c>"@a+OFF[I:J]"</c>), or the real number of trace fd K, <c>"%K"</c>
/// (results print such fds as <c>"fd K"</c>, which resolves the same way).</summary>
internal sealed class ValueResolver(ReplayBuffers buffers, IReadOnlyList<StepResult> results, IReadOnlyList<int> fds)
{
    public ulong Resolve(JsonNode value, string path)
    {
        if (value is not JsonValue scalar)
            throw new TraceFormatException($"{path}: expected a scalar, got {value.ToJsonString()}");
        switch (scalar.GetValueKind())
        {
            case JsonValueKind.Number:
                string raw = scalar.ToJsonString();
                if (ulong.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out ulong unsigned))
                    return unsigned;
                if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long signed))
                    return (ulong)signed;
                throw new TraceFormatException($"{path}: {raw} is not a 64-bit integer");
            case JsonValueKind.String:
                return ResolveString(scalar.GetValue<string>(), path);
            case JsonValueKind.True:
                return 1;
            case JsonValueKind.False:
                return 0;
            default:
                throw new TraceFormatException($"{path}: {scalar.ToJsonString()} is not a value");
        }
    }

    private ulong ResolveString(string text, string path)
    {
        if (SymbolicAddress.TryParse(text, out string buffer, out ulong offset))
            return buffers.AddressOf(buffer, offset);
        if (SymbolicSlice.TryParse(text, out buffer, out offset, out int from, out int to))
            return SymbolicSlice.Of(buffers.AddressOf(buffer, offset), from, to);
        if (text.StartsWith('$'))
            return Resolve(Lookup(text, path), $"{path} ({text})");
        if (Numbers.TryParseUnsigned(text, out ulong number))
            return number;
        if (FdCreatingIoctls.FdReference(text.StartsWith("fd ", StringComparison.Ordinal) ? "%" + text[3..] : text) is int fd)
        {
            if (fd >= fds.Count)
                throw new TraceFormatException($"{path}: '{text}' names fd {fd}, which was never opened ({fds.Count} so far)");
            return (uint)fds[fd]; // fd fields are 32-bit; -1 (closed or failed) stays -1, as a stale fd would
        }
        throw new TraceFormatException($"{path}: '{text}' is neither a number, \"$N.field\", \"@buf+OFF\" nor \"%K\"");
    }

    /// <summary>Finds <c>"$N.a.b[2]"</c> in the results of earlier steps (<c>"$N.rc"</c> is the return value).</summary>
    private JsonNode Lookup(string reference, string path)
    {
        int dot = reference.IndexOf('.');
        if (dot < 0 || !int.TryParse(reference.AsSpan(1, dot - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int step))
            throw new TraceFormatException($"{path}: '{reference}' is not of the form \"$N.field\"");
        if (step >= results.Count)
            throw new TraceFormatException($"{path}: '{reference}' refers to step {step}, which has not run yet");
        StepResult result = results[step];
        string fieldPath = reference[(dot + 1)..];
        if (fieldPath == "rc")
            return JsonValue.Create(result.Rc);
        JsonNode? node = result.Arg ?? throw new TraceFormatException($"{path}: step {step} has no struct output");
        foreach (string segment in Segments(fieldPath))
        {
            node = node switch
            {
                JsonObject obj => obj[segment],
                JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < array.Count => array[i],
                _ => null,
            };
            if (node is null)
                throw new TraceFormatException($"{path}: step {step} has no output field '{fieldPath}'");
        }
        return node!;
    }

    private static IEnumerable<string> Segments(string fieldPath) =>
        fieldPath.Replace("[", ".").Replace("]", "").Split('.', StringSplitOptions.RemoveEmptyEntries);
}
