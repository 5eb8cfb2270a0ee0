using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

namespace IommuFd.UapiGenerator.CFront;

/// <summary>A comment split the kernel-doc way: a title (<c>struct iommu_ioas_map - Map ...</c>),
/// <c>@member: text</c> entries, and the free text after them.</summary>
internal sealed class KernelDoc
{
    private static readonly Regex TitleLine = new(@"^\s*(?:(struct|union|enum)\s+)?([A-Za-z_]\w*)\s*(?:\(\))?\s*-\s*(.*)$");
    private static readonly Regex MemberLine = new(@"^\s*@([A-Za-z_][\w.]*)\s*:\s?(.*)$");

    public string? Kind { get; private set; }
    public string? Name { get; private set; }
    public string Summary { get; private set; } = "";
    public string Body { get; private set; } = "";
    public Dictionary<string, string> Members { get; } = new();

    /// <summary>The comment's text with the comment markers and leading <c>*</c> removed.</summary>
    public static List<string> Lines(string comment)
    {
        string inner = comment;
        if (inner.StartsWith("/**", System.StringComparison.Ordinal)) inner = inner.Substring(3);
        else if (inner.StartsWith("/*", System.StringComparison.Ordinal) || inner.StartsWith("//", System.StringComparison.Ordinal)) inner = inner.Substring(2);
        if (inner.EndsWith("*/", System.StringComparison.Ordinal)) inner = inner.Substring(0, inner.Length - 2);
        var lines = new List<string>();
        foreach (var raw in inner.Replace("\r", "").Split('\n'))
        {
            string line = raw.TrimStart();
            if (line.StartsWith("*", System.StringComparison.Ordinal)) line = line.Substring(1);
            if (line.StartsWith(" ", System.StringComparison.Ordinal)) line = line.Substring(1);
            lines.Add(line.TrimEnd());
        }
        while (lines.Count > 0 && lines[0].Trim().Length == 0) lines.RemoveAt(0);
        while (lines.Count > 0 && lines[lines.Count - 1].Trim().Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    /// <summary>The whole comment as one line of text (whitespace collapsed).</summary>
    public static string Flatten(string comment) => Regex.Replace(string.Join(" ", Lines(comment)), @"\s+", " ").Trim();

    public static KernelDoc Parse(string comment)
    {
        var doc = new KernelDoc();
        var lines = Lines(comment);
        int i = 0;
        var summary = new StringBuilder();
        if (lines.Count > 0)
        {
            var m = TitleLine.Match(lines[0]);
            if (m.Success && !lines[0].TrimStart().StartsWith("@", System.StringComparison.Ordinal))
            {
                doc.Kind = m.Groups[1].Success && m.Groups[1].Length > 0 ? m.Groups[1].Value : null;
                doc.Name = m.Groups[2].Value;
                summary.Append(m.Groups[3].Value.Trim());
                i = 1;
                // The title may wrap onto following lines until a blank line or the first @member.
                while (i < lines.Count && lines[i].Trim().Length > 0 && !MemberLine.IsMatch(lines[i]))
                {
                    if (!char.IsWhiteSpace(lines[i].Length > 0 ? lines[i][0] : 'x')) break;
                    summary.Append(' ').Append(lines[i].Trim());
                    i++;
                }
            }
        }
        string? current = null;
        var body = new StringBuilder();
        for (; i < lines.Count; i++)
        {
            var m = MemberLine.Match(lines[i]);
            if (m.Success)
            {
                current = m.Groups[1].Value;
                doc.Members[current] = m.Groups[2].Value.Trim();
                continue;
            }
            if (current != null && lines[i].Trim().Length > 0 && lines[i].Length > 0 && char.IsWhiteSpace(lines[i][0]))
            {
                doc.Members[current] = (doc.Members[current] + " " + lines[i].Trim()).Trim();
                continue;
            }
            current = null;
            body.Append(lines[i]).Append('\n');
        }
        doc.Summary = summary.ToString().Trim();
        doc.Body = body.ToString().Trim('\n');
        if (doc.Name == null)
        {
            // Not kernel-doc shaped: the first paragraph is the summary.
            var text = doc.Body;
            int blank = text.IndexOf("\n\n", System.StringComparison.Ordinal);
            doc.Summary = Regex.Replace(blank < 0 ? text : text.Substring(0, blank), @"\s+", " ").Trim();
            doc.Body = blank < 0 ? "" : text.Substring(blank + 2).Trim('\n');
        }
        return doc;
    }
}
