using System;
using System.Collections.Generic;
using System.Linq;
using IommuFd.UapiGenerator.CFront;
using IommuFd.UapiGenerator.Layout;

namespace IommuFd.UapiGenerator.Model;

/// <summary>Lays out and builds the structs and unions of the main header that the filter selects,
/// with every record they hold by value that comes along (declared by the main header or by an
/// include-only one).</summary>
internal static class StructCollector
{
    public static (List<StructModel> Structs, List<RecordDecl> Wanted) Collect(
        DeclParser parser, LayoutEngine layout, TypeNames names, NameFilter filter, DiagnosticBag diagnostics, Func<int, bool> comesAlong)
    {
        var declarations = parser.Declarations.Where(d => d.Record != null && comesAlong(d.File)).ToList();
        var records = declarations.Select(d => d.Record!).ToList();
        var wanted = new List<RecordDecl>();
        // Selected by the file that defines the record (a pointer to it may come first, in an include).
        foreach (var d in declarations)
            if (d.File == 0 && filter.Selects(d.Record!.Tag ?? d.Record.TypedefName ?? "")) AddWithDependencies(d.Record, wanted, new HashSet<RecordDecl>(), comesAlong);

        var structs = new List<StructModel>();
        var emitted = new HashSet<RecordDecl>();
        foreach (var r in records)
        {
            if (!wanted.Contains(r) || emitted.Contains(r)) continue;
            try
            {
                layout.Layout(r);
                structs.Add(StructModelBuilder.Build(r, names));
                emitted.Add(r);
            }
            catch (LayoutEngine.LayoutException e)
            {
                // At the record itself when the cause lies in another header (a member type declared there).
                var at = e.At.File == r.At.File ? e.At : r.At;
                diagnostics.Report(DiagnosticDescriptors.UnsupportedDeclaration, at, $"{StructModelBuilder.CNameOf(r)}: {e.Message}");
            }
        }
        return (structs, wanted);
    }

    private static void AddWithDependencies(RecordDecl record, List<RecordDecl> wanted, HashSet<RecordDecl> visiting, Func<int, bool> comesAlong)
    {
        if (wanted.Contains(record) || !visiting.Add(record)) return;
        AddHeld(record, wanted, visiting, comesAlong);
        wanted.Add(record);
    }

    /// <summary>Follows the members of <paramref name="record"/> into named records (added) and
    /// anonymous ones (looked through).</summary>
    private static void AddHeld(RecordDecl record, List<RecordDecl> wanted, HashSet<RecordDecl> visiting, Func<int, bool> comesAlong)
    {
        foreach (var m in record.Members)
        {
            CType t = m.Type;
            while (t is ArrayCType a) t = a.Element;
            if (t is not RecordCType r) continue;
            if (r.Record.Tag == null && r.Record.TypedefName == null) AddHeld(r.Record, wanted, visiting, comesAlong);
            else if (comesAlong(r.Record.At.File)) AddWithDependencies(r.Record, wanted, visiting, comesAlong);
        }
    }
}
