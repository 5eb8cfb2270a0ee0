using System;
using System.Collections.Generic;
using System.Linq;
using IommuFd.UapiGenerator.CFront;

namespace IommuFd.UapiGenerator.Model;

/// <summary>Turns an ioctl macro into an <see cref="IoctlModel"/>: its argument comes from the
/// IoctlMap file, else the macro (_IOR/_IOW/_IOWR), else a comment about it.</summary>
internal sealed class IoctlModelBuilder
{
    private static readonly string[] IoctlMacros = { "_IO", "_IOR", "_IOW", "_IOWR", "_IOC" };

    private readonly TargetProfile _profile;
    private readonly DiagnosticBag _diagnostics;
    private readonly IReadOnlyDictionary<string, RecordDecl> _records;
    private readonly IReadOnlyDictionary<string, IoctlArgument> _overrides;
    private readonly IReadOnlyDictionary<string, (IoctlArgument Argument, string Comment)> _docs;
    private readonly IReadOnlyList<StructModel> _structs;
    private readonly TypeNames _names;
    private readonly Func<RecordDecl, bool> _emittable;

    public IoctlModelBuilder(TargetProfile profile, DiagnosticBag diagnostics, IReadOnlyDictionary<string, RecordDecl> records,
        IReadOnlyDictionary<string, IoctlArgument> overrides, IReadOnlyDictionary<string, (IoctlArgument Argument, string Comment)> docs,
        IReadOnlyList<StructModel> structs, TypeNames names, Func<RecordDecl, bool> emittable)
    {
        _names = names;
        _emittable = emittable;
        _profile = profile;
        _diagnostics = diagnostics;
        _records = records;
        _overrides = overrides;
        _docs = docs;
        _structs = structs;
    }

    /// <summary>The _IO* macro a macro body starts with, or null when it is not an ioctl.</summary>
    public static string? IoctlKind(IReadOnlyList<Token> body)
    {
        int i = 0;
        while (i < body.Count && body[i].Is("(")) i++;
        if (i + 1 < body.Count && body[i].Kind == TokenKind.Identifier && Array.IndexOf(IoctlMacros, body[i].Text) >= 0 && body[i + 1].Is("("))
            return body[i].Text;
        return null;
    }

    public IoctlModel Build(Macro macro, string kind, uint request)
    {
        IoctlArgument? argument = null;
        bool fromDocOnly = false;
        if (_overrides.TryGetValue(macro.Name, out var fromMap)) argument = fromMap;
        else if (kind is "_IOR" or "_IOW" or "_IOWR") argument = ArgumentFromMacro(macro.Body);
        if (argument == null && _docs.TryGetValue(macro.Name, out var fromDoc))
        {
            argument = fromDoc.Argument;
            fromDocOnly = true;
        }
        DocModel? doc = _docs.TryGetValue(macro.Name, out var d) ? DocBuilder.FromComment(d.Comment) : null;

        if (argument == null)
        {
            _diagnostics.Report(DiagnosticDescriptors.IoctlArgumentUnknown, macro.NameToken, macro.Name);
            argument = IoctlArgument.Pointer;
        }
        if (argument.Kind == IoctlArgKind.Struct)
        {
            var model = _structs.FirstOrDefault(s => s.CName == argument.RecordKey);
            if (model != null)
            {
                var sizeType = model.SizeField != null ? model.Fields.First(f => f.CsName == model.SizeField).CsType : null;
                var ioctlDoc = doc ?? new DocModel($"Ioctl {macro.Name}; its argument is {model.CName}.", model.Doc?.Remarks ?? "");
                return new IoctlModel(macro.Name, request, IoctlArgKind.Struct, model.CsName, model.SizeField, sizeType, ioctlDoc);
            }
            if (_records.TryGetValue(argument.RecordKey!, out var foreign) && foreign.IsComplete)
            {
                if (!_emittable(foreign))
                {
                    // Its own header reports why it is not generated; the wrapper takes a raw pointer.
                    _diagnostics.Report(DiagnosticDescriptors.IoctlArgumentUnknown, macro.NameToken, macro.Name);
                    return new IoctlModel(macro.Name, request, IoctlArgKind.Pointer, null, null, null, doc);
                }
                var csName = _names.Of(foreign);
                var first = foreign.Members.FirstOrDefault();
                string? sizeField = first?.Name is "size" or "argsz" ? first.Name : null;
                return new IoctlModel(macro.Name, request, IoctlArgKind.Struct, csName, sizeField, sizeField != null ? "uint" : null, doc);
            }
            if (fromDocOnly) _diagnostics.Report(DiagnosticDescriptors.IoctlDocUnknownType, macro.NameToken, macro.Name, argument.RecordKey!);
            else _diagnostics.Report(DiagnosticDescriptors.UnknownType, macro.NameToken, argument.RecordKey!);
            return new IoctlModel(macro.Name, request, IoctlArgKind.Pointer, null, null, null, doc);
        }
        return new IoctlModel(macro.Name, request, argument.Kind, argument.ScalarCsType, null, null, doc);
    }

    private IoctlArgument? ArgumentFromMacro(IReadOnlyList<Token> body)
    {
        // _IOW(type, nr, T): T is everything after the second top-level comma.
        int depth = 0, commas = 0, start = -1;
        for (int i = 0; i < body.Count; i++)
        {
            var t = body[i];
            if (t.Is("(")) depth++;
            else if (t.Is(")"))
            {
                depth--;
                if (depth == 0 && start >= 0)
                    return IoctlArgument.FromTypeText(string.Join(" ", body.Skip(start).Take(i - start).Select(x => x.Text)), _profile);
            }
            else if (t.Is(",") && depth == 1 && ++commas == 2) start = i + 1;
        }
        return null;
    }
}
