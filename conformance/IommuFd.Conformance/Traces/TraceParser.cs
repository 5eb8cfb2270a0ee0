using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IommuFd.Conformance.Traces;

/// <summary>Parses JSON Lines into steps. Every line is a step (an empty line is an error), except an
/// optional first line <c>{"kernels":"..."}</c> naming the kernels the trace applies to; each step keeps
/// its line number.</summary>
internal static class TraceParser
{
    public static Trace Parse(string name, string text, string source)
    {
        var steps = new List<TraceStep>();
        string[] lines = text.Replace("\r\n", "\n").Split('\n');
        int count = lines.Length;
        if (count > 0 && lines[^1].Length == 0)
            count--; // the newline that ends the last line
        KernelRange? kernels = null;
        int first = 0;
        if (count > 0 && IsHeader(lines[0]))
        {
            try
            {
                kernels = ParseHeader(lines[0]);
            }
            catch (TraceFormatException e)
            {
                throw new TraceFormatException($"{source}:1: {e.Message}", e);
            }
            first = 1;
        }
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = first; i < count; i++)
        {
            string where = $"{source}:{i + 1}";
            try
            {
                TraceStep step = ParseLine(lines[i]) with { Line = i + 1 };
                if (step.Label is { } label && !labels.TryAdd(label, i + 1))
                    throw new TraceFormatException($"label '{label}' is already the label of line {labels[label]} (labels are unique within a trace)");
                steps.Add(step);
            }
            catch (TraceFormatException e)
            {
                throw new TraceFormatException($"{where}: {e.Message}", e);
            }
            catch (JsonException e)
            {
                throw new TraceFormatException($"{where}: not valid JSON: {e.Message}", e);
            }
        }
        return new Trace(name, steps, kernels);
    }

    // The header is a JSON object without "op" whose only key is "kernels".
    private static bool IsHeader(string line)
    {
        try
        {
            return JsonNode.Parse(line) is JsonObject json && json["op"] is null && json.ContainsKey("kernels");
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static KernelRange ParseHeader(string line)
    {
        var json = (JsonObject)JsonNode.Parse(line)!;
        if (json.Count != 1)
            throw new TraceFormatException("the header line takes only \"kernels\"");
        string text = json["kernels"] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new TraceFormatException("'kernels' must be a string");
        return KernelRange.Parse(text);
    }

    private static TraceStep ParseLine(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
            throw new TraceFormatException("empty line (every line is a step)");
        if (JsonNode.Parse(line) is not JsonObject json)
            throw new TraceFormatException("a step must be a JSON object");
        string op = RequiredString(json, "op");
        TraceStep step = op switch
        {
            "alloc" => ParseAlloc(json),
            "protect" => ParseProtect(json),
            "write" => new WriteStep(BufferName(json), RequiredUnsigned(json, "offset"), Hex(json, "hex") ?? throw Missing("hex")),
            "read" => new ReadStep(BufferName(json), RequiredUnsigned(json, "offset"), checked((int)RequiredUnsigned(json, "length"))),
            "open" => new OpenStep(OptionalString(json, "path")),
            "close" => new CloseStep(checked((int)RequiredUnsigned(json, "fd"))),
            "truncate" => new TruncateStep(checked((int)RequiredUnsigned(json, "fd")), RequiredUnsigned(json, "length")),
            "ioctl" => ParseIoctl(json),
            "fdread" => new FdReadStep(checked((int)RequiredUnsigned(json, "fd")), checked((int)RequiredUnsigned(json, "length"))),
            "fdwrite" => new FdWriteStep(checked((int)RequiredUnsigned(json, "fd")), Hex(json, "hex") ?? throw Missing("hex")),
            "spawn" => new SpawnStep(OptionalProcess(json) ?? throw Missing("proc")),
            "exit" => new ExitStep(OptionalProcess(json) ?? throw Missing("proc")),
            _ => throw new TraceFormatException($"unknown op '{op}' (alloc, protect, write, read, open, close, truncate, ioctl, fdread, fdwrite, spawn, exit)"),
        };
        CheckKeys(json, op);
        return step with { Label = OptionalLabel(json) };
    }

    private static IoctlStep ParseIoctl(JsonObject json)
    {
        string command = RequiredString(json, "cmd");
        int fd = json["fd"] is null ? 0 : checked((int)RequiredUnsigned(json, "fd"));
        JsonObject? arg = null;
        if (json["arg"] is { } argNode)
            arg = argNode as JsonObject ?? throw new TraceFormatException("'arg' must be an object");
        JsonNode? value = json["value"];
        if (value is not null && value is not JsonValue)
            throw new TraceFormatException("'value' must be a number or a string");
        if (arg is not null && value is not null)
            throw new TraceFormatException("'arg' and 'value' exclude each other");
        byte[]? tail = Hex(json, "tail");
        if (tail is not null && value is not null)
            throw new TraceFormatException("'tail' needs a struct argument");
        return new IoctlStep(command, fd, (JsonObject?)arg?.DeepClone(), value?.DeepClone(), tail) { Process = OptionalProcess(json) };
    }

    private static AllocStep ParseAlloc(JsonObject json)
    {
        var step = new AllocStep(BufferName(json), RequiredUnsigned(json, "length"), OptionalString(json, "file"), OptionalBool(json, "hugetlb"), OptionalBool(json, "memfd"))
        {
            Process = OptionalProcess(json),
        };
        if (step.Memfd && (step.Hugetlb || step.File is not null || step.Process is not null))
            throw new TraceFormatException("a memfd buffer is a memfd of the replaying process ('file', 'hugetlb' and 'proc' exclude it)");
        if (step.Hugetlb)
        {
            if (step.File is not null || step.Process is not null)
                throw new TraceFormatException("a hugetlb buffer is anonymous memory of the replaying process ('file' and 'proc' exclude it)");
            if (step.Length % AllocStep.HugePageSize != 0)
                throw new TraceFormatException($"a hugetlb buffer is whole 2 MiB pages: length {step.Length} is not a multiple of {AllocStep.HugePageSize}");
        }
        return step;
    }

    private static bool OptionalBool(JsonObject json, string key) => json[key] switch
    {
        null => false,
        JsonValue v when v.TryGetValue(out bool b) => b,
        _ => throw new TraceFormatException($"'{key}' must be true or false"),
    };

    private static ProtectStep ParseProtect(JsonObject json)
    {
        string prot = RequiredString(json, "prot");
        if (!ProtectStep.Protections.Contains(prot))
            throw new TraceFormatException($"'prot' must be one of {string.Join(", ", ProtectStep.Protections)}, got '{prot}'");
        return new ProtectStep(BufferName(json), RequiredUnsigned(json, "offset"), RequiredUnsigned(json, "length"), prot);
    }

    private static readonly Dictionary<string, string[]> AllowedKeys = new()
    {
        ["alloc"] = ["op", "buf", "length", "file", "hugetlb", "memfd", "proc"],
        ["protect"] = ["op", "buf", "offset", "length", "prot"],
        ["write"] = ["op", "buf", "offset", "hex"],
        ["read"] = ["op", "buf", "offset", "length"],
        ["open"] = ["op", "path"],
        ["close"] = ["op", "fd"],
        ["truncate"] = ["op", "fd", "length"],
        ["ioctl"] = ["op", "cmd", "fd", "arg", "value", "tail", "proc"],
        ["fdread"] = ["op", "fd", "length"],
        ["fdwrite"] = ["op", "fd", "hex"],
        ["spawn"] = ["op", "proc"],
        ["exit"] = ["op", "proc"],
    };

    private static void CheckKeys(JsonObject json, string op)
    {
        foreach (KeyValuePair<string, JsonNode?> entry in json)
            if (entry.Key != "label" && !AllowedKeys[op].Contains(entry.Key))
                throw new TraceFormatException($"'{op}' step has unknown key '{entry.Key}'");
    }

    private static string BufferName(JsonObject json)
    {
        string name = RequiredString(json, "buf");
        if (name.Length == 0 || name.Contains('+') || name.Contains('@'))
            throw new TraceFormatException($"buffer name '{name}' must be non-empty without '+' or '@'");
        return name;
    }

    private static string? OptionalProcess(JsonObject json)
    {
        string? name = OptionalString(json, "proc");
        if (name is not null && name.Length == 0)
            throw new TraceFormatException("process name 'proc' must be non-empty");
        return name;
    }

    private static string? OptionalLabel(JsonObject json)
    {
        string? label = OptionalString(json, "label");
        if (label is not null && label.Length == 0)
            throw new TraceFormatException("'label' must be non-empty");
        return label;
    }

    private static TraceFormatException Missing(string key) => new($"missing '{key}'");

    private static string RequiredString(JsonObject json, string key) =>
        OptionalString(json, key) ?? throw Missing(key);

    private static string? OptionalString(JsonObject json, string key)
    {
        JsonNode? node = json[key];
        if (node is null)
            return null;
        if (node is JsonValue value && value.TryGetValue(out string? text))
            return text;
        throw new TraceFormatException($"'{key}' must be a string");
    }

    private static ulong RequiredUnsigned(JsonObject json, string key)
    {
        JsonNode node = json[key] ?? throw Missing(key);
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && ulong.TryParse(value.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong number))
            return number;
        throw new TraceFormatException($"'{key}' must be a non-negative integer, got {node.ToJsonString()}");
    }

    private static byte[]? Hex(JsonObject json, string key)
    {
        string? text = OptionalString(json, key);
        if (text is null)
            return null;
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw new TraceFormatException($"'{key}' must be an even number of hex digits");
        }
    }
}
