using System.Globalization;
using System.Text.RegularExpressions;

namespace IommuFd.UapiGenerator.ProofTests.Gcc;

/// <summary>The part of <c>readelf --debug-dump=info</c> the coverage needs: named struct and
/// union types with their member access paths, and enumerators.</summary>
public sealed partial class Dwarf
{
    private sealed class Die(string tag)
    {
        public string Tag { get; } = tag;
        public Dictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);
        public List<Die> Children { get; } = [];
        public string? Name => Attributes.TryGetValue("DW_AT_name", out string? n) ? n : null;
        public bool IsRecord => Tag is "DW_TAG_structure_type" or "DW_TAG_union_type";
    }

    /// <summary>"struct tag" / "union tag" to the member access paths of that record.</summary>
    public Dictionary<string, List<string>> Records { get; } = new(StringComparer.Ordinal);

    /// <summary>Every enumerator name.</summary>
    public HashSet<string> Enumerators { get; } = new(StringComparer.Ordinal);

    /// <summary>Parses readelf's dump of one compilation unit.</summary>
    public static Dwarf Read(string readelfOutput)
    {
        var byOffset = new Dictionary<string, Die>(StringComparer.Ordinal);
        var lastAtDepth = new Dictionary<int, Die>();
        Die? current = null;
        foreach (string line in readelfOutput.Split('\n'))
        {
            Match die = DieRegex().Match(line);
            if (die.Success)
            {
                current = null;
                if (!die.Groups[3].Success) continue; // a null entry ends a list of siblings
                int depth = int.Parse(die.Groups[1].Value, CultureInfo.InvariantCulture);
                current = new Die(die.Groups[3].Value);
                byOffset["0x" + die.Groups[2].Value.TrimStart('0')] = current;
                if (lastAtDepth.TryGetValue(depth - 1, out Die? parent)) parent.Children.Add(current);
                lastAtDepth[depth] = current;
                continue;
            }
            Match attribute = AttributeRegex().Match(line);
            if (current is not null && attribute.Success)
            {
                string value = attribute.Groups[2].Value.Trim();
                if (attribute.Groups[1].Value == "DW_AT_name" && value.StartsWith('(')) value = value[(value.LastIndexOf("): ", StringComparison.Ordinal) + 3)..];
                current.Attributes[attribute.Groups[1].Value] = value;
            }
        }

        var dwarf = new Dwarf();
        foreach (Die die in byOffset.Values)
        {
            if (die.Tag == "DW_TAG_enumerator" && die.Name is { } enumerator)
                dwarf.Enumerators.Add(enumerator);
            if (die.IsRecord && die.Name is { } tag && !die.Attributes.ContainsKey("DW_AT_declaration"))
            {
                string kind = die.Tag == "DW_TAG_union_type" ? "union" : "struct";
                var paths = new List<string>();
                AddMembers(die, "", paths, byOffset, depth: 0);
                dwarf.Records[$"{kind} {tag}"] = paths;
            }
        }
        return dwarf;
    }

    private static void AddMembers(Die record, string prefix, List<string> paths, Dictionary<string, Die> byOffset, int depth)
    {
        if (depth > 16) return;
        foreach (Die member in record.Children.Where(c => c.Tag == "DW_TAG_member"))
        {
            Die? type = ResolveType(member, byOffset);
            if (member.Name is not { } name)
            {
                if (type is { IsRecord: true }) AddMembers(type, prefix, paths, byOffset, depth + 1);
                continue;
            }
            paths.Add(prefix + name);
            if (type is { IsRecord: true }) AddMembers(type, prefix + name + ".", paths, byOffset, depth + 1);
        }
    }

    /// <summary>The member's type with typedefs and qualifiers stripped.</summary>
    private static Die? ResolveType(Die die, Dictionary<string, Die> byOffset)
    {
        Die? type = die;
        for (int i = 0; i < 16 && type is not null; i++)
        {
            if (!type.Attributes.TryGetValue("DW_AT_type", out string? reference)) return null;
            Match m = ReferenceRegex().Match(reference);
            if (!m.Success || !byOffset.TryGetValue("0x" + m.Groups[1].Value.TrimStart('0'), out type)) return null;
            if (type.Tag is not ("DW_TAG_typedef" or "DW_TAG_const_type" or "DW_TAG_volatile_type")) return type;
        }
        return null;
    }

    [GeneratedRegex(@"^\s*<(\d+)><([0-9a-f]+)>: Abbrev Number: \d+(?: \((DW_TAG_\w+)\))?")]
    private static partial Regex DieRegex();

    [GeneratedRegex(@"^\s*<[0-9a-f]+>\s+(DW_AT_\w+)\s*:\s?(.*)$")]
    private static partial Regex AttributeRegex();

    [GeneratedRegex(@"<0x([0-9a-f]+)>")]
    private static partial Regex ReferenceRegex();
}
