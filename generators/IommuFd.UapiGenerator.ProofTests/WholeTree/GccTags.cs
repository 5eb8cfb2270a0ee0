using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace IommuFd.UapiGenerator.ProofTests.WholeTree;

/// <summary>One struct or union tag that gcc defines in a header, with its line (1-based).</summary>
public sealed record GccTag(string Kind, string Name, int Line)
{
    /// <summary>"struct tag" or "union tag", as the generator's CName spells it.</summary>
    public string CName => Kind + " " + Name;
}

/// <summary>The tagged structs and unions each header of an installed tree defines, as gcc sees
/// them: every header compiled alone (<c>#include &lt;linux/x.h&gt;</c>) with
/// <c>-g -fno-eliminate-unused-debug-types</c>, and the DWARF read back with readelf (a record's
/// DW_AT_decl_file must be the header itself, so what its includes define is theirs). A header
/// gcc cannot compile alone has no entry: it says nothing either way.</summary>
public static partial class GccTags
{
    private const int BatchSize = 64;

    /// <summary>Tags per header (relative to include/), for the headers gcc compiles alone.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<GccTag>> Read(string compiler, string root, IReadOnlyList<string> headers)
    {
        string include = Path.Combine(root, "include");
        string dir = Directory.CreateTempSubdirectory("uapi-tags-").FullName;
        try
        {
            for (int i = 0; i < headers.Count; i++)
                File.WriteAllText(Path.Combine(dir, $"h{i}.c"), $"#include <{headers[i]}>\n");
            var result = new ConcurrentDictionary<string, IReadOnlyList<GccTag>>(StringComparer.Ordinal);
            var batches = Enumerable.Range(0, headers.Count).Chunk(BatchSize);
            Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, batch =>
            {
                // One gcc per batch: it compiles every file on its own and goes on past failures.
                Run(compiler, ["-std=gnu11", "-g", "-fno-eliminate-unused-debug-types", "-c", "-w", "-I", include, .. batch.Select(i => $"h{i}.c")], dir);
                string[] objects = [.. batch.Select(i => $"h{i}.o").Where(o => File.Exists(Path.Combine(dir, o)))];
                if (objects.Length == 0) return;
                string dump = Run("readelf", ["--debug-dump=info,line", .. objects], dir);
                foreach ((string obj, string text) in SplitByObject(dump))
                {
                    int index = int.Parse(obj[1..^2], CultureInfo.InvariantCulture);
                    string header = Path.GetFullPath(Path.Combine(include, headers[index]));
                    result[headers[index]] = DefinedIn(text, header);
                }
            });
            return result;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static IEnumerable<(string Object, string Text)> SplitByObject(string dump)
    {
        MatchCollection files = FileRegex().Matches(dump);
        for (int i = 0; i < files.Count; i++)
        {
            int start = files[i].Index + files[i].Length;
            int end = i + 1 < files.Count ? files[i + 1].Index : dump.Length;
            yield return (files[i].Groups[1].Value, dump[start..end]);
        }
    }

    /// <summary>The complete named records of one object whose declaring file is <paramref name="header"/>.</summary>
    private static List<GccTag> DefinedIn(string text, string header)
    {
        var directories = new Dictionary<int, string>();
        var files = new Dictionary<int, string>();
        string? table = null;
        var tags = new List<(string Kind, string Name, int File, int Line, bool Declaration)>();
        (string Kind, Dictionary<string, string> Attributes)? current = null;

        void Close()
        {
            if (current is not { } c) return;
            if (c.Attributes.TryGetValue("DW_AT_name", out string? name) &&
                c.Attributes.TryGetValue("DW_AT_decl_file", out string? file) &&
                c.Attributes.TryGetValue("DW_AT_decl_line", out string? line))
                tags.Add((c.Kind, name, ParseNumber(file), ParseNumber(line), c.Attributes.ContainsKey("DW_AT_declaration")));
            current = null;
        }

        foreach (string line in text.Split('\n'))
        {
            Match die = DieRegex().Match(line);
            if (die.Success)
            {
                Close();
                string tag = die.Groups[1].Value;
                if (tag is "DW_TAG_structure_type" or "DW_TAG_union_type")
                    current = (tag == "DW_TAG_union_type" ? "union" : "struct", new Dictionary<string, string>(StringComparer.Ordinal));
                continue;
            }
            Match attribute = AttributeRegex().Match(line);
            if (attribute.Success)
            {
                if (current is { } c)
                {
                    string value = attribute.Groups[2].Value.Trim();
                    if (value.StartsWith('(')) value = value[(value.LastIndexOf("): ", StringComparison.Ordinal) + 3)..];
                    c.Attributes[attribute.Groups[1].Value] = value;
                }
                continue;
            }
            if (line.Contains("The Directory Table", StringComparison.Ordinal)) { Close(); table = "dirs"; continue; }
            if (line.Contains("The File Name Table", StringComparison.Ordinal)) { table = "files"; continue; }
            if (table == null) continue;
            Match entry = (table == "dirs" ? DirectoryEntryRegex() : FileEntryRegex()).Match(line);
            if (!entry.Success) { if (line.Trim().Length > 0 && !line.Contains("Entry", StringComparison.Ordinal)) table = null; continue; }
            int number = int.Parse(entry.Groups[1].Value, CultureInfo.InvariantCulture);
            if (table == "dirs") directories[number] = entry.Groups[2].Value.Trim();
            else files[number] = Path.Combine(directories.GetValueOrDefault(int.Parse(entry.Groups[2].Value, CultureInfo.InvariantCulture), ""), entry.Groups[3].Value.Trim());
        }
        Close();

        return [.. tags.Where(t => !t.Declaration && files.TryGetValue(t.File, out string? path) && Path.GetFullPath(path) == header)
            .Select(t => new GccTag(t.Kind, t.Name, t.Line))
            .Distinct()
            .OrderBy(t => t.Line)];
    }

    private static int ParseNumber(string text) =>
        text.StartsWith("0x", StringComparison.Ordinal)
            ? int.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : int.Parse(text, CultureInfo.InvariantCulture);

    private static string Run(string executable, IEnumerable<string> args, string workingDirectory)
    {
        var psi = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {executable}");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = stderr.Result;
        return stdout;
    }

    [GeneratedRegex(@"^File: (h\d+\.o)$", RegexOptions.Multiline)]
    private static partial Regex FileRegex();

    [GeneratedRegex(@"^\s*<\d+><[0-9a-f]+>: Abbrev Number: \d+(?: \((DW_TAG_\w+)\))?")]
    private static partial Regex DieRegex();

    [GeneratedRegex(@"^\s*<[0-9a-f]+>\s+(DW_AT_\w+)\s*:\s?(.*)$")]
    private static partial Regex AttributeRegex();

    [GeneratedRegex(@"^\s+(\d+)\s+(?:\(indirect line string, offset: 0x[0-9a-f]+\):\s*)?(\S.*)$")]
    private static partial Regex DirectoryEntryRegex();

    [GeneratedRegex(@"^\s+(\d+)\s+(\d+)\s+(?:\(indirect line string, offset: 0x[0-9a-f]+\):\s*)?(\S.*)$")]
    private static partial Regex FileEntryRegex();
}
