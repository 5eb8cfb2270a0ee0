using System.Collections.Generic;
using System.Linq;
using IommuFd.UapiGenerator.CFront;
using IommuFd.UapiGenerator.Helpers;
using IommuFd.UapiGenerator.Layout;

namespace IommuFd.UapiGenerator.Model;

/// <summary>Builds the emitted shape of a C enum: gcc's underlying type, [Flags], member docs.</summary>
internal static class EnumModelBuilder
{
    public static EnumModel Build(EnumDecl e)
    {
        string underlying = LayoutEngine.EnumUnderlying(e);
        var doc = e.Doc != null ? KernelDoc.Parse(e.Doc) : null;
        var members = new List<EnumMemberModel>();
        foreach (var m in e.Members)
        {
            DocModel? memberDoc = doc != null && doc.Members.TryGetValue(m.Name, out var text) ? DocBuilder.FromText(text) : DocBuilder.FromComment(m.Doc);
            members.Add(new EnumMemberModel(m.Name, ConstantFormat.Format(m.Value, underlying), memberDoc));
        }
        bool flags = IsFlags(e);
        return new EnumModel("enum " + (e.Tag ?? ""), Naming.Identifier(e.Tag ?? ""), underlying, flags, DocBuilder.FromComment(e.Doc), members.ToEquatableArray());
    }

    /// <summary>[Flags] when every member is written out as a distinct bit; a zero member is
    /// allowed only next to at least two bits (so NONE=0/FOO=1 kinds stay plain).</summary>
    private static bool IsFlags(EnumDecl e)
    {
        if (e.Members.Count == 0 || e.Members.Any(m => !m.Explicit || m.Value.IsNegative)) return false;
        var nonZero = e.Members.Where(m => m.Value.Bits != 0).Select(m => m.Value.Bits).ToList();
        int zeros = e.Members.Count - nonZero.Count;
        if (nonZero.Count == 0 || nonZero.Any(v => (v & (v - 1)) != 0) || nonZero.Distinct().Count() != nonZero.Count) return false;
        return zeros == 0 || (zeros == 1 && nonZero.Count >= 2);
    }
}
