using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Replay;

/// <summary>Fds in ioctl results: backends number fds differently, so a field that holds trace fd K
/// prints as <c>"fd K"</c>. That is the new fd of an fd-creating ioctl (registered here as the next
/// trace fd) and every field the trace itself set to <c>"%K"</c>, as long as it still holds that fd.</summary>
internal static class FdFields
{
    public static void Symbolize(IoctlStep step, JsonObject after, long rc, List<int> fds)
    {
        if (step.Arg is not null)
            SymbolizeReferences(step.Arg, after, fds);
        if (FdCreatingIoctls.CreatedFdField(step) is not string path)
            return;
        (JsonObject? parent, string name) = Parent(after, path);
        if (rc < 0 || parent?[name] is not JsonValue value || !TryInt(value, out int fd))
        {
            fds.Add(-1);
            return;
        }
        fds.Add(fd);
        parent[name] = Name(fds.Count - 1);
    }

    private static void SymbolizeReferences(JsonObject given, JsonObject after, List<int> fds)
    {
        foreach (KeyValuePair<string, JsonNode?> entry in given)
        {
            switch (entry.Value)
            {
                case JsonObject nested when after[entry.Key] is JsonObject afterNested:
                    SymbolizeReferences(nested, afterNested, fds);
                    break;
                case JsonValue text when text.GetValueKind() == JsonValueKind.String
                                         && FdCreatingIoctls.FdReference(text.GetValue<string>()) is int index
                                         && index < fds.Count
                                         && after[entry.Key] is JsonValue now && TryInt(now, out int fd)
                                         && fd == fds[index]:
                    after[entry.Key] = Name(index);
                    break;
            }
        }
    }

    private static string Name(int index) => $"fd {index}";

    private static (JsonObject? Parent, string Name) Parent(JsonObject root, string path)
    {
        string[] parts = path.Split('.');
        JsonObject? node = root;
        foreach (string part in parts[..^1])
            node = node?[part] as JsonObject;
        return (node, parts[^1]);
    }

    // Fd fields are 32-bit (signed or not); -1 reads back as 4294967295 from an unsigned one.
    private static bool TryInt(JsonValue value, out int fd)
    {
        fd = 0;
        if (value.GetValueKind() != JsonValueKind.Number)
            return false;
        if (long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number)
            && number >= int.MinValue && number <= uint.MaxValue)
        {
            fd = unchecked((int)number);
            return true;
        }
        return false;
    }
}
