using System.Collections.Generic;
using System.Linq;
using IommuFd.UapiGenerator.CFront;
using IommuFd.UapiGenerator.Helpers;

namespace IommuFd.UapiGenerator.Model;

/// <summary>Builds the emitted shape of a laid-out struct or union: anonymous members
/// flattened in at their offsets, nested types for named members of anonymous type, inline
/// array types, bitfield accessors and the flexible array member.</summary>
internal sealed class StructModelBuilder
{
    private readonly List<FieldModel> _fields = new();
    private readonly List<BitfieldModel> _bitfields = new();
    private readonly List<InlineArrayModel> _arrays = new();
    private readonly List<StructModel> _nested = new();
    private readonly List<FlexibleArrayModel> _flexible = new();
    private readonly RecordDecl _record;
    private readonly string _csName;
    private readonly string _cName;
    private readonly KernelDoc? _doc;
    private readonly TypeNames _names;

    private StructModelBuilder(RecordDecl record, string csName, string cName, KernelDoc? doc, TypeNames names)
    {
        _names = names;
        _record = record;
        _csName = csName;
        _cName = cName;
        _doc = doc;
    }

    /// <summary>The C# name of a record used as a field type.</summary>
    public static string CsNameOf(RecordDecl record) => Naming.Identifier(record.Tag ?? record.TypedefName ?? "anonymous");

    public static string CNameOf(RecordDecl record) =>
        record.Tag != null ? record.Keyword + " " + record.Tag : record.TypedefName ?? record.Keyword;

    public static StructModel Build(RecordDecl record, TypeNames names) =>
        Build(record, CsNameOf(record), CNameOf(record), record.Doc, names);

    private static StructModel Build(RecordDecl record, string csName, string cName, string? rawDoc, TypeNames names)
    {
        var doc = rawDoc != null ? KernelDoc.Parse(rawDoc) : null;
        var builder = new StructModelBuilder(record, csName, cName, doc, names);
        builder.Flatten(record, 0, "");
        string? sizeField = null;
        var first = builder._fields.FirstOrDefault(f => f.Offset == 0);
        if (first != null && (first.CName == "size" || first.CName == "argsz") && (first.CsType == "uint" || first.CsType == "ushort"))
            sizeField = first.CsName;
        return new StructModel(cName, csName, record.IsUnion, record.Size, record.Align, DocBuilder.FromComment(rawDoc),
            builder._fields.ToEquatableArray(), builder._bitfields.ToEquatableArray(), builder._arrays.ToEquatableArray(),
            builder._nested.ToEquatableArray(), builder._flexible.ToEquatableArray(), sizeField, record.At.Line);
    }

    private DocModel? MemberDoc(string path, MemberDecl m)
    {
        if (_doc != null && _doc.Members.TryGetValue(path, out var text) && text.Length > 0) return DocBuilder.FromText(text);
        if (_doc != null && _doc.Members.TryGetValue(m.Name ?? "", out text) && text.Length > 0) return DocBuilder.FromText(text);
        return DocBuilder.FromComment(m.Doc);
    }

    private void Flatten(RecordDecl record, int baseOffset, string pathPrefix)
    {
        foreach (var m in record.Members)
        {
            if (m.Name == null)
            {
                if (!m.BitWidth.HasValue && m.Type is RecordCType anonymous)
                    Flatten(anonymous.Record, baseOffset + m.Offset, pathPrefix);
                continue;
            }
            string csName = Naming.Member(m.Name, _csName);
            var doc = MemberDoc(pathPrefix + m.Name, m);
            if (m.BitWidth.HasValue)
            {
                AddBitfield(m, baseOffset, csName, doc);
                continue;
            }
            if (m.Type is ArrayCType { Length: null } flex)
            {
                var (elemSize, _) = new Layout.LayoutEngine().SizeAlign(flex.Element, m.At);
                _flexible.Add(new FlexibleArrayModel(m.Name, csName, baseOffset + m.Offset, TypeFor(flex.Element, m.Name, 1), elemSize, doc));
                continue;
            }
            var (size, _) = new Layout.LayoutEngine().SizeAlign(m.Type, m.At);
            _fields.Add(new FieldModel(m.Name, csName, baseOffset + m.Offset, size, TypeFor(m.Type, m.Name, 0), doc));
        }
    }

    private string TypeFor(CType type, string member, int depth)
    {
        switch (type)
        {
            case ScalarCType s: return s.Scalar.CsName;
            case PointerCType: return "ulong";
            case EnumCType e: return e.Decl.Tag != null ? _names.Of(e.Decl) : Layout.LayoutEngine.EnumUnderlying(e.Decl);
            case RecordCType r when r.Record.Tag != null || r.Record.TypedefName != null: return _names.Of(r.Record);
            case RecordCType r:
                string nestedName = Naming.NestedType(member);
                // C# forbids a nested type named like its enclosing one (coff.h: union e { struct { } e; }).
                if (nestedName == _csName) nestedName = Naming.NestedType(nestedName);
                if (!_nested.Any(n => n.CsName == nestedName))
                    _nested.Add(Build(r.Record, nestedName, _cName + "." + member, r.Record.Doc, _names));
                return nestedName;
            case ArrayCType a:
                string name = Naming.InlineArray(member, depth);
                string element = TypeFor(a.Element, member, depth + 1);
                if (!_arrays.Any(x => x.CsName == name))
                    _arrays.Add(new InlineArrayModel(name, a.Length ?? 0, element));
                return name;
        }
        return "byte";
    }

    private void AddBitfield(MemberDecl m, int baseOffset, string csName, DocModel? doc)
    {
        var scalar = m.Type is ScalarCType s ? s.Scalar : null;
        bool signed = scalar?.Signed ?? false;
        string valueType = scalar?.CsName ?? "uint";
        int width = m.BitWidth!.Value;
        long bit = baseOffset * 8L + m.BitOffset;
        // The smallest naturally aligned unit that holds the bits and fits in the struct.
        int unit = 8;
        foreach (var k in new[] { 1, 2, 4, 8 })
        {
            long start = bit / (k * 8) * k;
            if (bit + width <= (start + k) * 8 && start + k <= _record.Size) { unit = k; break; }
        }
        int offset = (int)(bit / (unit * 8) * unit);
        string storageType = ScalarType.CsFor(unit, false);
        _bitfields.Add(new BitfieldModel(m.Name!, csName, "_bits" + offset + "_" + unit, storageType, offset,
            (int)(bit - offset * 8L), width, valueType, signed, doc));
    }
}
