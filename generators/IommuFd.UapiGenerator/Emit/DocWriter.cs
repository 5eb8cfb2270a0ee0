using System.Text;
using IommuFd.UapiGenerator.Helpers;
using IommuFd.UapiGenerator.Model;

namespace IommuFd.UapiGenerator.Emit;

/// <summary>Writes XML doc comments, escaping C text for XML.</summary>
internal static class DocWriter
{
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                default:
                    if (c >= ' ' || c == '\t') sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    public static void Write(SourceWriter w, DocModel? doc, string fallback)
    {
        string summary = doc != null && doc.Summary.Length > 0 ? Escape(doc.Summary) : fallback;
        w.WriteLine("/// <summary>" + summary + "</summary>");
        if (doc == null || doc.Remarks.Trim().Length == 0) return;
        w.WriteLine("/// <remarks>");
        foreach (var line in doc.Remarks.Replace("\r", "").Split('\n'))
        {
            var escaped = Escape(line.Replace("\t", "    ")).TrimEnd();
            w.WriteLine(escaped.Length == 0 ? "/// <para/>" : "/// " + escaped);
        }
        w.WriteLine("/// </remarks>");
    }
}
