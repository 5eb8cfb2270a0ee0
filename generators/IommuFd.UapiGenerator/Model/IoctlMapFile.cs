using System;
using System.Collections.Generic;
using System.Linq;
using IommuFd.UapiGenerator.Helpers;

namespace IommuFd.UapiGenerator.Model;

/// <summary>The consumer's override file: one <c>IOCTL_NAME = argument</c> per line, where the
/// argument is <c>struct tag</c>, <c>union tag</c>, a scalar C type (passed by value), <c>none</c>
/// or <c>pointer</c>. <c>#</c> starts a comment.</summary>
internal static class IoctlMapFile
{
    public static Dictionary<string, IoctlArgument> Parse(UapiFile file, List<DiagnosticInfo> diagnostics, TargetProfile profile)
    {
        var map = new Dictionary<string, IoctlArgument>();
        var lines = file.Text.Replace("\r", "").Split('\n');
        int offset = 0;
        for (int i = 0; i < lines.Length; offset += lines[i].Length + 1, i++)
        {
            string line = lines[i];
            int hash = line.IndexOf('#');
            string content = (hash >= 0 ? line.Substring(0, hash) : line).Trim();
            if (content.Length == 0) continue;
            int eq = content.IndexOf('=');
            string name = eq > 0 ? content.Substring(0, eq).Trim() : "";
            var argument = eq > 0 ? IoctlArgument.FromTypeText(content.Substring(eq + 1), profile) : null;
            if (name.Length == 0 || argument == null || name.IndexOf(' ') >= 0)
            {
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.BadIoctlMap,
                    new Helpers.EquatableArray<string>(new[] { $"'{content}' is not 'IOCTL_NAME = struct tag | scalar type | none | pointer'" }),
                    file.Path, offset, line.Length, i, 0, i, line.Length));
                continue;
            }
            map[name] = argument;
        }
        return map;
    }

    /// <summary>The overrides of <paramref name="header"/>'s IoctlMap file (empty without one).</summary>
    public static Dictionary<string, IoctlArgument> Load(UapiFile header, IReadOnlyList<UapiFile> library, List<DiagnosticInfo> diagnostics, TargetProfile profile)
    {
        if (string.IsNullOrWhiteSpace(header.IoctlMap)) return new Dictionary<string, IoctlArgument>();
        string wantedPath = NormalizePath(header.IoctlMap!);
        var file = library.FirstOrDefault(f => !f.IsHeader && !f.IncludeOnly && NormalizePath(f.Path) == wantedPath);
        if (file == null)
        {
            diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.IoctlMapNotFound, new[] { header.IoctlMap!, System.IO.Path.GetFileName(header.Path) }.ToEquatableArray(),
                null, 0, 0, 0, 0, 0, 0));
            return new Dictionary<string, IoctlArgument>();
        }
        return Parse(file, diagnostics, profile);
    }

    private static string NormalizePath(string path)
    {
        try
        {
            return System.IO.Path.GetFullPath(path).Replace('\\', '/');
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or System.IO.PathTooLongException)
        {
            return path.Replace('\\', '/');
        }
    }
}
