using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using IommuFd.UapiGenerator.CFront;
using IommuFd.UapiGenerator.Helpers;
using IommuFd.UapiGenerator.Layout;

namespace IommuFd.UapiGenerator.Model;

/// <summary>Header text in, <see cref="HeaderModel"/> and diagnostics out: preprocess, parse,
/// lay out, then collect the structs, enums, constants and ioctls of the main header.</summary>
internal sealed class HeaderCompiler
{
    private static readonly string[] IoctlMacros = { "_IO", "_IOR", "_IOW", "_IOWR", "_IOC" };

    private readonly UapiFile _header;
    private readonly IReadOnlyList<UapiFile> _library;
    private readonly TargetProfile _profile;
    private readonly List<SourceFile> _files = new();
    private readonly DiagnosticBag _diagnostics;
    private readonly LayoutEngine _layout = new();
    private readonly string[] _filter;
    private Preprocessor _pp = null!;
    private DeclParser _parser = null!;

    private HeaderCompiler(UapiFile header, IReadOnlyList<UapiFile> library, TargetProfile profile)
    {
        _header = header;
        _library = library;
        _profile = profile;
        _files.Add(new SourceFile(header.Path, header.Text));
        _diagnostics = new DiagnosticBag(_files);
        _filter = (header.Filter ?? "").Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries).Select(f => f.Trim()).Where(f => f.Length > 0).ToArray();
    }

    public static CompileResult Compile(UapiFile header, IReadOnlyList<UapiFile> library, string? profileName)
    {
        var diagnostics = new List<DiagnosticInfo>();
        DiagnosticInfo NoLocation(string id, params string[] args) =>
            new(id, args.ToEquatableArray(), null, 0, 0, 0, 0, 0, 0);
        try
        {
            if (!header.Readable)
                return new CompileResult(null, new[] { NoLocation("UAPI014", header.Path) }.ToEquatableArray());
            if (string.IsNullOrWhiteSpace(header.Namespace))
                return new CompileResult(null, new[] { NoLocation("UAPI002", header.Path, "Namespace") }.ToEquatableArray());
            if (string.IsNullOrWhiteSpace(header.ClassName))
                return new CompileResult(null, new[] { NoLocation("UAPI002", header.Path, "ClassName") }.ToEquatableArray());
            var profile = TargetProfile.Find(profileName);
            if (profile == null)
                return new CompileResult(null, new[] { NoLocation("UAPI009", profileName ?? "", TargetProfile.Names) }.ToEquatableArray());
            var compiler = new HeaderCompiler(header, library, profile);
            var model = compiler.Run();
            return new CompileResult(model, compiler._diagnostics.Items.ToEquatableArray());
        }
        catch (Exception e)
        {
            // Never throw into the compiler: report and generate nothing for this header.
            return new CompileResult(null, new[] { NoLocation("UAPI001", header.Path, e.GetType().Name + ": " + e.Message) }.ToEquatableArray());
        }
    }

    private SourceFile? ResolveInclude(string include)
    {
        string suffix = "/" + include;
        foreach (var f in _library)
        {
            if (!f.IsHeader) continue;
            string path = f.Path.Replace('\\', '/');
            if (path.EndsWith(suffix, StringComparison.Ordinal) || path == include) return new SourceFile(f.Path, f.Text);
        }
        return null;
    }

    private HeaderModel Run()
    {
        _pp = new Preprocessor(_files, ResolveInclude, _profile, _diagnostics);
        _pp.Run();
        var comments = new CommentIndex(_pp.Comments);
        _parser = new DeclParser(_pp.Output, _profile, _diagnostics, comments, Evaluate);
        _parser.Parse();

        var structs = new List<StructModel>();
        var emittedRecords = new HashSet<RecordDecl>();
        var records = _parser.Declarations.Where(d => d.Record != null && d.File == 0).Select(d => d.Record!).ToList();
        var wanted = new List<RecordDecl>();
        foreach (var r in records)
            if (Selected(r.Tag ?? r.TypedefName ?? "")) AddWithDependencies(r, wanted, new HashSet<RecordDecl>());
        foreach (var r in records)
        {
            if (!wanted.Contains(r) || emittedRecords.Contains(r)) continue;
            try
            {
                _layout.Layout(r);
                structs.Add(StructModelBuilder.Build(r));
                emittedRecords.Add(r);
            }
            catch (LayoutEngine.LayoutException e)
            {
                _diagnostics.Report("UAPI003", e.At, $"{StructModelBuilder.CNameOf(r)}: {e.Message}");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var constants = new List<ConstantModel>();
        var enums = new List<EnumModel>();
        foreach (var d in _parser.Declarations.Where(d => d.Enum != null && d.File == 0))
        {
            var e = d.Enum!;
            bool selected = e.Tag != null ? Selected(e.Tag) || WantedEnum(e, wanted) : e.Members.Any(m => Selected(m.Name));
            if (!selected) continue;
            var model = BuildEnum(e);
            if (e.Tag != null) enums.Add(model);
            foreach (var (member, m) in e.Members.Zip(model.Members, (a, b) => (a, b)))
            {
                if (!Selected(member.Name) && e.Tag == null) continue;
                if (!names.Add(member.Name)) { _diagnostics.Report("UAPI008", member.At, member.Name); continue; }
                constants.Add(new ConstantModel(member.Name, model.Underlying, m.Value, m.Doc));
            }
        }

        var ioctls = new List<IoctlModel>();
        var ioctlDocs = IoctlDocScanner.Scan(comments.All(0), _profile.CharIsSigned);
        var overrides = LoadOverrides();
        var latest = new Dictionary<string, Macro>();
        foreach (var m in _pp.Definitions) if (m.File == 0) latest[m.Name] = m;
        foreach (var macro in _pp.Definitions)
        {
            if (macro.File != 0 || macro.IsFunctionLike || latest[macro.Name] != macro || !_pp.Macros.ContainsKey(macro.Name)) continue;
            if (!Selected(macro.Name)) continue;
            var ioctlKind = IoctlKind(macro.Body);
            var result = Evaluate(macro.Body);
            if (result.Status == EvalStatus.Malformed)
            {
                _diagnostics.Report("UAPI004", macro.NameToken, macro.Name, result.Message ?? "");
                continue;
            }
            if (result.Status != EvalStatus.Ok)
            {
                var text = StringConstant(macro.Body);
                if (text != null && names.Add(macro.Name))
                    constants.Add(new ConstantModel(macro.Name, "string", text, ConstantDoc(comments, macro)));
                continue;
            }
            if (!names.Add(macro.Name)) { _diagnostics.Report("UAPI008", macro.NameToken, macro.Name); continue; }
            if (ioctlKind != null)
            {
                ioctls.Add(BuildIoctl(macro, ioctlKind, (uint)result.Value.Bits, ioctlDocs, overrides, structs));
                continue;
            }
            var (type, literal) = Literal(result.Value);
            constants.Add(new ConstantModel(macro.Name, type, literal, ConstantDoc(comments, macro)));
        }

        return new HeaderModel(
            HintName: _header.Namespace + "." + _header.ClassName + ".g.cs",
            SourcePath: System.IO.Path.GetFileName(_header.Path),
            SourceSha256: Sha256(_header.Text),
            Profile: _profile.Name,
            Namespace: _header.Namespace!,
            ClassName: _header.ClassName!,
            Structs: structs.ToEquatableArray(),
            Enums: enums.ToEquatableArray(),
            Constants: constants.ToEquatableArray(),
            Ioctls: ioctls.ToEquatableArray());
    }

    /// <summary>SHA-256 of the header text as UTF-8 (for the ASCII kernel headers: the file's sha256sum).</summary>
    private static string Sha256(string text)
    {
        using var sha = System.Security.Cryptography.SHA256.Create();
        var hash = sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(text));
        return string.Concat(hash.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    private bool Selected(string name) => _filter.Length == 0 || _filter.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    private static bool WantedEnum(EnumDecl e, List<RecordDecl> wanted) =>
        wanted.Any(r => r.Members.Any(m => m.Type is EnumCType ec && ec.Decl == e));

    /// <summary>Adds <paramref name="record"/> and every main-header record it holds by value.</summary>
    private void AddWithDependencies(RecordDecl record, List<RecordDecl> wanted, HashSet<RecordDecl> visiting)
    {
        if (wanted.Contains(record) || !visiting.Add(record)) return;
        foreach (var m in record.Members)
        {
            CType t = m.Type;
            while (t is ArrayCType a) t = a.Element;
            if (t is RecordCType r)
            {
                if (r.Record.Tag == null && r.Record.TypedefName == null) AddNested(r.Record, wanted, visiting);
                else if (r.Record.At.File == 0) AddWithDependencies(r.Record, wanted, visiting);
            }
        }
        wanted.Add(record);
    }

    private void AddNested(RecordDecl anonymous, List<RecordDecl> wanted, HashSet<RecordDecl> visiting)
    {
        foreach (var m in anonymous.Members)
        {
            CType t = m.Type;
            while (t is ArrayCType a) t = a.Element;
            if (t is RecordCType r)
            {
                if (r.Record.Tag == null && r.Record.TypedefName == null) AddNested(r.Record, wanted, visiting);
                else if (r.Record.At.File == 0) AddWithDependencies(r.Record, wanted, visiting);
            }
        }
    }

    private EvalResult Evaluate(IReadOnlyList<Token> tokens)
    {
        var evaluator = new ConstEvaluator(_pp.Macros, _profile.Encoding, _profile.CharIsSigned, LookupIdentifier, SizeOfType, directive: false);
        return evaluator.Evaluate(tokens);
    }

    private CValue? LookupIdentifier(string name) =>
        _parser != null && _parser.EnumConstants.TryGetValue(name, out var member) ? member.Value : null;

    /// <summary><c>sizeof</c> of a type written as tokens, or null when unknown.</summary>
    private int? SizeOfType(IReadOnlyList<Token> tokens)
    {
        var words = tokens.Where(t => t.Text is not ("const" or "volatile" or "__user")).Select(t => t.Text).ToList();
        if (words.Count == 0 || _parser == null) return null;
        if (words[words.Count - 1] == "*") return LayoutEngine.PointerSize;
        try
        {
            if (words.Count == 2 && words[0] is "struct" or "union")
                return _parser.Records.TryGetValue(words[0] + " " + words[1], out var r) ? _layout.SizeAlign(new RecordCType(r), tokens[0]).Size : null;
            if (words.Count == 2 && words[0] == "enum")
                return _parser.Enums.TryGetValue(words[1], out var e) ? LayoutEngine.EnumSize(e).Size : null;
            if (words.Count == 1)
            {
                var scalar = BuiltinTypes.Lookup(words[0]);
                if (scalar != null) return scalar.Size;
                if (_parser.Typedefs.TryGetValue(words[0], out var typedef)) return _layout.SizeAlign(typedef, tokens[0]).Size;
            }
            return BuiltinTypes.FromKeywords(words, _profile.CharIsSigned)?.Size;
        }
        catch (LayoutEngine.LayoutException)
        {
            return null;
        }
    }

    private static string? IoctlKind(IReadOnlyList<Token> body)
    {
        int i = 0;
        while (i < body.Count && body[i].Is("(")) i++;
        if (i + 1 < body.Count && body[i].Kind == TokenKind.Identifier && Array.IndexOf(IoctlMacros, body[i].Text) >= 0 && body[i + 1].Is("("))
            return body[i].Text;
        return null;
    }

    private Dictionary<string, IoctlArgument> LoadOverrides()
    {
        if (string.IsNullOrWhiteSpace(_header.IoctlMap)) return new Dictionary<string, IoctlArgument>();
        string wantedPath = NormalizePath(_header.IoctlMap!);
        var file = _library.FirstOrDefault(f => !f.IsHeader && NormalizePath(f.Path) == wantedPath);
        if (file == null)
        {
            _diagnostics.Items.Add(new DiagnosticInfo("UAPI012", new[] { _header.IoctlMap!, System.IO.Path.GetFileName(_header.Path) }.ToEquatableArray(),
                null, 0, 0, 0, 0, 0, 0));
            return new Dictionary<string, IoctlArgument>();
        }
        return IoctlMapFile.Parse(file, _diagnostics.Items, _profile.CharIsSigned);
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

    private IoctlModel BuildIoctl(Macro macro, string kind, uint request, Dictionary<string, (IoctlArgument Argument, string Comment)> docs,
        Dictionary<string, IoctlArgument> overrides, List<StructModel> structs)
    {
        IoctlArgument? argument = null;
        bool fromDocOnly = false;
        if (overrides.TryGetValue(macro.Name, out var fromMap)) argument = fromMap;
        else if (kind is "_IOR" or "_IOW" or "_IOWR") argument = ArgumentFromMacro(macro.Body);
        if (argument == null && docs.TryGetValue(macro.Name, out var fromDoc))
        {
            argument = fromDoc.Argument;
            fromDocOnly = true;
        }
        DocModel? doc = docs.TryGetValue(macro.Name, out var d) ? DocBuilder.FromComment(d.Comment) : null;

        if (argument == null)
        {
            _diagnostics.Report("UAPI007", macro.NameToken, macro.Name);
            argument = IoctlArgument.Pointer;
        }
        if (argument.Kind == IoctlArgKind.Struct)
        {
            var model = structs.FirstOrDefault(s => s.CName == argument.RecordKey);
            if (model != null)
            {
                var sizeType = model.SizeField != null ? model.Fields.First(f => f.CsName == model.SizeField).CsType : null;
                return new IoctlModel(macro.Name, request, IoctlArgKind.Struct, model.CsName, model.SizeField, sizeType, doc ?? model.Doc);
            }
            if (_parser.Records.TryGetValue(argument.RecordKey!, out var foreign) && foreign.IsComplete)
            {
                var csName = StructModelBuilder.CsNameOf(foreign);
                var first = foreign.Members.FirstOrDefault();
                string? sizeField = first?.Name is "size" or "argsz" ? first.Name : null;
                return new IoctlModel(macro.Name, request, IoctlArgKind.Struct, csName, sizeField, sizeField != null ? "uint" : null, doc);
            }
            if (fromDocOnly) _diagnostics.Report("UAPI013", macro.NameToken, macro.Name, argument.RecordKey!);
            else _diagnostics.Report("UAPI006", macro.NameToken, argument.RecordKey!);
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
                    return IoctlArgument.FromTypeText(string.Join(" ", body.Skip(start).Take(i - start).Select(x => x.Text)), _profile.CharIsSigned);
            }
            else if (t.Is(",") && depth == 1 && ++commas == 2) start = i + 1;
        }
        return null;
    }

    private static DocModel? ConstantDoc(CommentIndex comments, Macro macro)
    {
        if (macro.NameToken == null) return null;
        int lastLine = macro.Body.Count > 0 ? macro.Body[macro.Body.Count - 1].Line : macro.NameToken.Line;
        var trailing = comments.TrailingOn(macro.File, lastLine);
        return trailing != null ? DocBuilder.FromComment(trailing.Text) : null;
    }

    private static string? StringConstant(IReadOnlyList<Token> body)
    {
        if (body.Count == 0 || body.Any(t => t.Kind != TokenKind.String)) return null;
        var parts = body.Select(t => t.Text.Substring(1, t.Text.Length - 2)).ToList();
        string joined = string.Concat(parts);
        // Only plain text: C escapes other than \" and \\ are not carried over.
        for (int i = 0; i < joined.Length; i++)
            if (joined[i] == '\\' && (i + 1 >= joined.Length || (joined[i + 1] != '"' && joined[i + 1] != '\\'))) return null;
            else if (joined[i] == '\\') i++;
        return "\"" + joined + "\"";
    }

    private EnumModel BuildEnum(EnumDecl e)
    {
        string underlying = LayoutEngine.EnumUnderlying(e);
        var doc = e.Doc != null ? KernelDoc.Parse(e.Doc) : null;
        var members = new List<EnumMemberModel>();
        foreach (var m in e.Members)
        {
            DocModel? memberDoc = doc != null && doc.Members.TryGetValue(m.Name, out var text) ? DocBuilder.FromText(text) : DocBuilder.FromComment(m.Doc);
            members.Add(new EnumMemberModel(m.Name, Format(m.Value, underlying), memberDoc));
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

    /// <summary>The C# type and literal for a macro's value.</summary>
    internal static (string Type, string Literal) Literal(CValue value)
    {
        string type = value.Type switch
        {
            CIntType.Int when value.ShiftedIntoSign => "uint",
            CIntType.Int => "int",
            CIntType.UInt => "uint",
            CIntType.Long => "long",
            _ => "ulong",
        };
        return (type, Format(value, type));
    }

    internal static string Format(CValue value, string csType)
    {
        bool signed = csType is "int" or "long" or "short" or "sbyte";
        if (signed && value.IsNegative && !value.ShiftedIntoSign) return value.Signed.ToString(CultureInfo.InvariantCulture);
        ulong bits = csType is "uint" or "int" ? value.Bits & 0xFFFFFFFFUL : value.Bits;
        if (bits < 256) return bits.ToString(CultureInfo.InvariantCulture);
        return "0x" + bits.ToString("X", CultureInfo.InvariantCulture);
    }
}
