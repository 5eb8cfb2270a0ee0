using System.Collections.Generic;
using System.Text.RegularExpressions;
using IommuFd.UapiGenerator.CFront;

namespace IommuFd.UapiGenerator.Model;

/// <summary>What an ioctl takes, as stated by its macro, its kernel-doc or the IoctlMap file:
/// <c>struct X</c>, a scalar type, nothing, or a raw pointer.</summary>
internal sealed record IoctlArgument(IoctlArgKind Kind, string? RecordKey, string? ScalarCsType)
{
    public static readonly IoctlArgument None = new(IoctlArgKind.None, null, null);
    public static readonly IoctlArgument Pointer = new(IoctlArgKind.Pointer, null, null);

    /// <summary>Reads a C type name (<c>struct vfio_device_info</c>, <c>__u32</c>, <c>char</c>).</summary>
    public static IoctlArgument? FromTypeText(string text, TargetProfile profile)
    {
        text = Regex.Replace(text, @"\s+", " ").Trim();
        var record = Regex.Match(text, @"^(struct|union) ([A-Za-z_]\w*)$");
        if (record.Success) return new IoctlArgument(IoctlArgKind.Struct, record.Groups[1].Value + " " + record.Groups[2].Value, null);
        if (text is "char" or "void" or "void *" or "char *" or "pointer") return Pointer;
        if (text == "none") return None;
        var scalar = BuiltinTypes.Lookup(text, profile) ?? BuiltinTypes.FromKeywords(text.Split(' '), profile.CharIsSigned);
        return scalar != null ? new IoctlArgument(IoctlArgKind.Value, null, scalar.CsName) : null;
    }
}

/// <summary>Finds ioctl argument types in kernel-doc comments. Two shapes exist in the 6.12
/// headers: iommufd's <c>struct iommu_ioas_map - ioctl(IOMMU_IOAS_MAP)</c> and vfio's
/// <c>VFIO_DEVICE_GET_INFO - _IOR(VFIO_TYPE, VFIO_BASE + 7, struct vfio_device_info)</c>.
/// Only the argument is taken from a comment, never the encoding (vfio's comments say _IOR where
/// the macro says _IO).</summary>
internal static class IoctlDocScanner
{
    private static readonly Regex StructTitle = new(@"^(struct|union)\s+([A-Za-z_]\w*)\s*-\s*ioctl\(([A-Za-z_]\w*)\)");
    private static readonly Regex MacroTitle = new(@"^([A-Za-z_]\w*)\s*-\s*(_IO|_IOR|_IOW|_IOWR)\s*\(");

    public static Dictionary<string, (IoctlArgument Argument, string Comment)> Scan(IEnumerable<Comment> comments, TargetProfile profile)
    {
        var found = new Dictionary<string, (IoctlArgument, string)>();
        foreach (var c in comments)
        {
            // vfio documents some ioctls in plain /* comments: read every comment.
            string flat = KernelDoc.Flatten(c.Text);
            var s = StructTitle.Match(flat);
            if (s.Success)
            {
                if (!found.ContainsKey(s.Groups[3].Value))
                    found[s.Groups[3].Value] = (new IoctlArgument(IoctlArgKind.Struct, s.Groups[1].Value + " " + s.Groups[2].Value, null), c.Text);
                continue;
            }
            var m = MacroTitle.Match(flat);
            if (!m.Success) continue;
            var args = SplitArguments(flat, m.Index + m.Length);
            if (args == null) continue;
            IoctlArgument? argument = args.Count >= 3 ? IoctlArgument.FromTypeText(args[2], profile) : args.Count == 2 ? IoctlArgument.None : null;
            if (argument != null && !found.ContainsKey(m.Groups[1].Value)) found[m.Groups[1].Value] = (argument, c.Text);
        }
        return found;
    }

    private static List<string>? SplitArguments(string text, int start)
    {
        var args = new List<string>();
        int depth = 0, from = start;
        for (int i = start; i < text.Length; i++)
        {
            char ch = text[i];
            if (ch == '(') depth++;
            else if (ch == ')')
            {
                if (depth == 0)
                {
                    args.Add(text.Substring(from, i - from).Trim());
                    return args;
                }
                depth--;
            }
            else if (ch == ',' && depth == 0)
            {
                args.Add(text.Substring(from, i - from).Trim());
                from = i + 1;
            }
        }
        return null;
    }
}
