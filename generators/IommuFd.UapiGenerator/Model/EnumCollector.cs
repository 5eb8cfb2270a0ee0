using System.Collections.Generic;
using System.Linq;
using IommuFd.UapiGenerator.CFront;

namespace IommuFd.UapiGenerator.Model;

/// <summary>Builds the main header's tagged enums (selected by name, or because a wanted struct
/// uses them) and a constant for each selected enumerator.</summary>
internal static class EnumCollector
{
    public static List<EnumModel> Collect(DeclParser parser, NameFilter filter, IReadOnlyList<RecordDecl> wanted,
        ConstantSet constants, DiagnosticBag diagnostics)
    {
        var enums = new List<EnumModel>();
        foreach (var d in parser.Declarations.Where(d => d.Enum != null && d.File == 0))
        {
            var e = d.Enum!;
            bool selected = e.Tag != null ? filter.Selects(e.Tag) || UsedBy(e, wanted) : e.Members.Any(m => filter.Selects(m.Name));
            if (!selected) continue;
            var model = EnumModelBuilder.Build(e);
            if (e.Tag != null) enums.Add(model);
            foreach (var (member, m) in e.Members.Zip(model.Members, (a, b) => (a, b)))
            {
                if (!filter.Selects(member.Name) && e.Tag == null) continue;
                if (!constants.TryAdd(new ConstantModel(member.Name, model.Underlying, m.Value, m.Doc)))
                    diagnostics.Report(DiagnosticDescriptors.DuplicateName, member.At, member.Name);
            }
        }
        return enums;
    }

    private static bool UsedBy(EnumDecl e, IReadOnlyList<RecordDecl> wanted) =>
        wanted.Any(r => r.Members.Any(m => m.Type is EnumCType ec && ec.Decl == e));
}
