using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IommuFd.Conformance.Layout;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Replay;

/// <summary>Fds in ioctl results: backends number fds differently, so a field that holds trace fd K
/// prints as <c>"fd K"</c>. That is the new fd of an fd-creating ioctl (registered here as the next
/// trace fd) and every field the trace itself set to <c>"%K"</c>, as long as it still holds that fd.</summary>
internal static class FdFields
{
    public static void Symbolize(IoctlStep step, JsonObject after, long rc, List<int> fds, int? createdFd = null)
    {
        if (step.Arg is not null)
            SymbolizeReferences(step.Arg, after, fds);
        if (FdCreatingIoctls.CreatedFdField(step) is not string path)
            return;
        (JsonObject? parent, string name) = Parent(after, path);
        int fd = 0;
        if (rc < 0 || parent?[name] is not JsonValue value || (createdFd is null && !TryInt(value, out fd)))
        {
            fds.Add(-1);
            return;
        }
        fds.Add(createdFd ?? fd);
        parent[name] = Name(fds.Count - 1);
    }

    /// <summary>The new fd of a successful fd-creating ioctl, read from the raw struct, whose bytes then
    /// get the trace fd index instead: a union member sharing those bytes (iommu_test_cmd's) would
    /// otherwise print the backend's own fd number.</summary>
    public static int? TakeCreatedFd(IoctlStep step, CStruct layout, Span<byte> bytes, long rc, int nextIndex)
    {
        if (rc < 0 || FdCreatingIoctls.CreatedFdField(step) is not string path)
            return null;
        int offset = 0;
        CType? type = layout;
        foreach (string part in path.Split('.'))
        {
            if (type is not CStruct parent || parent.Find(part) is not { } field)
                return null;
            offset += field.Offset;
            type = field.Type;
        }
        if (type is not CScalar { ByteCount: 4 } || offset + 4 > bytes.Length)
            return null;
        int fd = BinaryPrimitives.ReadInt32LittleEndian(bytes[offset..]);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[offset..], nextIndex);
        return fd;
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
