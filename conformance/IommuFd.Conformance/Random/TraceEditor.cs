using System.Globalization;
using System.Text.Json.Nodes;
using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Random;

/// <summary>Removes steps from a trace while keeping it well-formed: a removed step takes every
/// step that depends on it along (references <c>"$N.field"</c>, buffers it allocated, the fd it
/// opened or created, <c>"%K"</c> fd values), and the remaining references and fd numbers are renumbered.</summary>
public static class TraceEditor
{
    /// <summary>The steps each step depends on (indexes of earlier steps).</summary>
    public static IReadOnlyList<IReadOnlySet<int>> Dependencies(Trace trace)
    {
        var allocOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var openOf = new List<int> { -1 }; // fd 0 is implicit
        var spawnOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<IReadOnlySet<int>>();
        for (int i = 0; i < trace.Steps.Count; i++)
        {
            var deps = new HashSet<int>();
            TraceStep step = trace.Steps[i];
            switch (step)
            {
                case AllocStep alloc:
                    allocOf.TryAdd(alloc.Buffer, i);
                    AddProcess(alloc.Process);
                    if (alloc.Memfd)
                        openOf.Add(i);
                    break;
                case TruncateStep truncate:
                    AddFd(truncate.Fd);
                    break;
                case SpawnStep spawn:
                    spawnOf.TryAdd(spawn.Process, i);
                    break;
                case ExitStep exit:
                    AddProcess(exit.Process);
                    break;
                case WriteStep write:
                    AddBuffer(write.Buffer);
                    break;
                case ReadStep read:
                    AddBuffer(read.Buffer);
                    break;
                case ProtectStep protect:
                    AddBuffer(protect.Buffer);
                    break;
                case OpenStep:
                    openOf.Add(i);
                    break;
                case CloseStep close:
                    AddFd(close.Fd);
                    break;
                case FdReadStep fdRead:
                    AddFd(fdRead.Fd);
                    break;
                case FdWriteStep fdWrite:
                    AddFd(fdWrite.Fd);
                    break;
                case IoctlStep ioctl:
                    AddFd(ioctl.Fd);
                    AddProcess(ioctl.Process);
                    foreach (string text in Strings(ioctl.Arg).Concat(Strings(ioctl.Value)))
                    {
                        if (ReferencedStep(text) is int referenced)
                            deps.Add(referenced);
                        else if (FdCreatingIoctls.FdReference(text) is int fd)
                            AddFd(fd);
                        else if (SymbolicAddress.TryParse(text, out string buffer, out _))
                            AddBuffer(buffer);
                    }
                    if (FdCreatingIoctls.CreatedFdField(ioctl) is not null)
                        openOf.Add(i);
                    break;
            }
            result.Add(deps);

            void AddProcess(string? name)
            {
                if (name is not null && spawnOf.TryGetValue(name, out int at))
                    deps.Add(at);
            }

            void AddBuffer(string name)
            {
                if (allocOf.TryGetValue(name, out int at))
                    deps.Add(at);
            }

            void AddFd(int fd)
            {
                if (fd > 0 && fd < openOf.Count)
                    deps.Add(openOf[fd]);
            }
        }
        return result;
    }

    /// <summary>The trace without <paramref name="remove"/> and everything that depends on them.</summary>
    public static Trace Remove(Trace trace, IEnumerable<int> remove)
    {
        IReadOnlyList<IReadOnlySet<int>> deps = Dependencies(trace);
        var removed = new HashSet<int>(remove);
        for (int i = 0; i < trace.Steps.Count; i++)
            if (!removed.Contains(i) && deps[i].Any(removed.Contains))
                removed.Add(i); // dependencies always point backwards, so one pass closes the set

        var newIndex = new Dictionary<int, int>();
        var newFd = new Dictionary<int, int> { [0] = 0 };
        int oldFd = 0, nextFd = 0;
        for (int i = 0, kept = 0; i < trace.Steps.Count; i++)
        {
            bool isOpen = CreatesFd(trace.Steps[i]);
            if (isOpen)
                oldFd++;
            if (removed.Contains(i))
                continue;
            newIndex[i] = kept++;
            if (isOpen)
                newFd[oldFd] = ++nextFd;
        }

        var steps = new List<TraceStep>();
        for (int i = 0; i < trace.Steps.Count; i++)
        {
            if (removed.Contains(i))
                continue;
            steps.Add(trace.Steps[i] switch
            {
                IoctlStep ioctl => ioctl with
                {
                    Fd = newFd.GetValueOrDefault(ioctl.Fd, ioctl.Fd),
                    Arg = (JsonObject?)Renumber(ioctl.Arg, newIndex, newFd),
                    Value = Renumber(ioctl.Value, newIndex, newFd),
                },
                CloseStep close => close with { Fd = newFd.GetValueOrDefault(close.Fd, close.Fd) },
                TruncateStep truncate => truncate with { Fd = newFd.GetValueOrDefault(truncate.Fd, truncate.Fd) },
                FdReadStep fdRead => fdRead with { Fd = newFd.GetValueOrDefault(fdRead.Fd, fdRead.Fd) },
                FdWriteStep fdWrite => fdWrite with { Fd = newFd.GetValueOrDefault(fdWrite.Fd, fdWrite.Fd) },
                var other => other,
            } with { Line = 0 });
        }
        return new Trace(trace.Name, steps, trace.Kernels);
    }

    private static bool CreatesFd(TraceStep step) =>
        step is OpenStep or AllocStep { Memfd: true } || (step is IoctlStep ioctl && FdCreatingIoctls.CreatedFdField(ioctl) is not null);

    private static JsonNode? Renumber(JsonNode? node, Dictionary<int, int> newIndex, Dictionary<int, int> newFd)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (KeyValuePair<string, JsonNode?> entry in obj)
                    copy[entry.Key] = Renumber(entry.Value, newIndex, newFd);
                return copy;
            case JsonArray array:
                var items = new JsonArray();
                foreach (JsonNode? item in array)
                    items.Add(Renumber(item, newIndex, newFd));
                return items;
            default:
                if (node.GetValueKind() == System.Text.Json.JsonValueKind.String && ReferencedStep(node.GetValue<string>()) is int step)
                {
                    string text = node.GetValue<string>();
                    return JsonValue.Create($"${newIndex[step]}{text[text.IndexOf('.')..]}");
                }
                if (node.GetValueKind() == System.Text.Json.JsonValueKind.String && FdCreatingIoctls.FdReference(node.GetValue<string>()) is int fd)
                    return JsonValue.Create($"%{newFd.GetValueOrDefault(fd, fd)}");
                return node.DeepClone();
        }
    }

    private static int? ReferencedStep(string text)
    {
        if (!text.StartsWith('$'))
            return null;
        int dot = text.IndexOf('.');
        return dot > 1 && int.TryParse(text.AsSpan(1, dot - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int step) ? step : null;
    }

    private static IEnumerable<string> Strings(JsonNode? node)
    {
        switch (node)
        {
            case null:
                yield break;
            case JsonObject obj:
                foreach (KeyValuePair<string, JsonNode?> entry in obj)
                    foreach (string s in Strings(entry.Value))
                        yield return s;
                break;
            case JsonArray array:
                foreach (JsonNode? item in array)
                    foreach (string s in Strings(item))
                        yield return s;
                break;
            default:
                if (node.GetValueKind() == System.Text.Json.JsonValueKind.String)
                    yield return node.GetValue<string>();
                break;
        }
    }
}
