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
            if (!Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(header.ClassName) || Naming.IsKeyword(header.ClassName!))
                return new CompileResult(null, new[] { NoLocation("UAPI015", header.Path, "ClassName", header.ClassName!, "class name") }.ToEquatableArray());
            if (header.Namespace!.Split('.').Any(part => !Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(part) || Naming.IsKeyword(part)))
                return new CompileResult(null, new[] { NoLocation("UAPI015", header.Path, "Namespace", header.Namespace!, "namespace") }.ToEquatableArray());
            // Hint names must be unique: the first header (by path) of a Namespace.ClassName wins.
            var owner = library.Where(f => f.IsHeader && f.Namespace == header.Namespace && f.ClassName == header.ClassName)
                .OrderBy(f => f.Path, StringComparer.Ordinal).FirstOrDefault();
            if (owner != null && owner.Path != header.Path)
                return new CompileResult(null, new[] { NoLocation("UAPI016", header.Namespace + "." + header.ClassName) }.ToEquatableArray());
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
            var model = EnumModelBuilder.Build(e);
            if (e.Tag != null) enums.Add(model);
            foreach (var (member, m) in e.Members.Zip(model.Members, (a, b) => (a, b)))
            {
                if (!Selected(member.Name) && e.Tag == null) continue;
                if (!names.Add(member.Name)) { _diagnostics.Report("UAPI008", member.At, member.Name); continue; }
                constants.Add(new ConstantModel(member.Name, model.Underlying, m.Value, m.Doc));
            }
        }

        var ioctls = new List<IoctlModel>();
        var ioctlDocs = IoctlDocScanner.Scan(comments.All(0), _profile);
        var overrides = IoctlMapFile.Load(_header, _library, _diagnostics.Items, _profile);
        var ioctlBuilder = new IoctlModelBuilder(_profile, _diagnostics, _parser.Records, overrides, ioctlDocs, structs);
        var latest = new Dictionary<string, Macro>();
        foreach (var m in _pp.Definitions) if (m.File == 0) latest[m.Name] = m;
        foreach (var macro in _pp.Definitions)
        {
            if (macro.File != 0 || macro.IsFunctionLike || latest[macro.Name] != macro || !_pp.Macros.ContainsKey(macro.Name)) continue;
            if (!Selected(macro.Name)) continue;
            // `#define X X` after enumerator X (so userspace can #ifdef it): the enumerator is emitted.
            if (macro.Body.Count == 1 && macro.Body[0].Text == macro.Name && _parser.EnumConstants.ContainsKey(macro.Name)) continue;
            var ioctlKind = IoctlModelBuilder.IoctlKind(macro.Body);
            var result = Evaluate(macro.Body);
            if (result.Status == EvalStatus.Malformed)
            {
                _diagnostics.Report("UAPI004", macro.NameToken, macro.Name, result.Message ?? "");
                continue;
            }
            if (result.Status != EvalStatus.Ok)
            {
                var text = ConstantFormat.StringConstant(macro.Body);
                if (text != null && names.Add(macro.Name))
                    constants.Add(new ConstantModel(macro.Name, "string", text, ConstantDoc(comments, macro)));
                continue;
            }
            if (!names.Add(macro.Name)) { _diagnostics.Report("UAPI008", macro.NameToken, macro.Name); continue; }
            if (ioctlKind != null)
            {
                ioctls.Add(ioctlBuilder.Build(macro, ioctlKind, (uint)result.Value.Bits));
                continue;
            }
            var (type, literal) = ConstantFormat.Literal(result.Value);
            constants.Add(new ConstantModel(macro.Name, type, literal, ConstantDoc(comments, macro)));
        }

        return new HeaderModel(
            HintName: HintName(),
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

    /// <summary>Hint names are compared ignoring case (xt_CONNMARK.h and xt_connmark.h are both
    /// installed headers): classes differing only in case get a numbered hint name.</summary>
    private string HintName()
    {
        string name = _header.Namespace + "." + _header.ClassName;
        var clashes = _library.Where(f => f.IsHeader && string.Equals(f.Namespace + "." + f.ClassName, name, StringComparison.OrdinalIgnoreCase))
            .Select(f => f.Namespace + "." + f.ClassName).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
        int index = clashes.IndexOf(name);
        return index > 0 ? name + "." + index + ".g.cs" : name + ".g.cs";
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
        var evaluator = new ConstEvaluator(_pp.Macros, _profile, LookupIdentifier, SizeOfType, directive: false);
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
                var scalar = BuiltinTypes.Lookup(words[0], _profile);
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

    private static DocModel? ConstantDoc(CommentIndex comments, Macro macro)
    {
        if (macro.NameToken == null) return null;
        int lastLine = macro.Body.Count > 0 ? macro.Body[macro.Body.Count - 1].Line : macro.NameToken.Line;
        var trailing = comments.TrailingOn(macro.File, lastLine);
        return trailing != null ? DocBuilder.FromComment(trailing.Text) : null;
    }
}
