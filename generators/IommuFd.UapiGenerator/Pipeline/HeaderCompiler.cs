using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using IommuFd.UapiGenerator.CFront;
using IommuFd.UapiGenerator.Helpers;
using IommuFd.UapiGenerator.Layout;
using IommuFd.UapiGenerator.Model;
using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator;

/// <summary>Header text in, <see cref="HeaderModel"/> and diagnostics out: checks the item's
/// metadata, preprocesses and parses, then runs the struct, enum and macro collectors over the
/// main header.</summary>
internal sealed class HeaderCompiler
{
    private readonly UapiFile _header;
    private readonly IReadOnlyList<UapiFile> _library;
    private readonly TargetProfile _profile;
    private readonly List<SourceFile> _files = new();
    private readonly DiagnosticBag _diagnostics;
    private readonly LayoutEngine _layout = new();
    private readonly NameFilter _filter;

    private HeaderCompiler(UapiFile header, IReadOnlyList<UapiFile> library, TargetProfile profile)
    {
        _header = header;
        _library = library;
        _profile = profile;
        _files.Add(new SourceFile(header.Path, header.Text));
        _diagnostics = new DiagnosticBag(_files);
        _filter = new NameFilter(header.Filter);
    }

    public static CompileResult Compile(UapiFile header, IReadOnlyList<UapiFile> library, string? profileName)
    {
        var diagnostics = new List<DiagnosticInfo>();
        DiagnosticInfo NoLocation(DiagnosticDescriptor descriptor, params string[] args) =>
            new(descriptor, args.ToEquatableArray(), null, 0, 0, 0, 0, 0, 0);
        try
        {
            if (!header.Readable)
                return new CompileResult(null, new[] { NoLocation(DiagnosticDescriptors.UnreadableFile, header.Path) }.ToEquatableArray());
            if (string.IsNullOrWhiteSpace(header.Namespace))
                return new CompileResult(null, new[] { NoLocation(DiagnosticDescriptors.MissingMetadata, header.Path, "Namespace") }.ToEquatableArray());
            if (string.IsNullOrWhiteSpace(header.ClassName))
                return new CompileResult(null, new[] { NoLocation(DiagnosticDescriptors.MissingMetadata, header.Path, "ClassName") }.ToEquatableArray());
            if (!Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(header.ClassName) || Naming.IsKeyword(header.ClassName!))
                return new CompileResult(null, new[] { NoLocation(DiagnosticDescriptors.InvalidMetadata, header.Path, "ClassName", header.ClassName!, "class name") }.ToEquatableArray());
            if (header.Namespace!.Split('.').Any(part => !Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(part) || Naming.IsKeyword(part)))
                return new CompileResult(null, new[] { NoLocation(DiagnosticDescriptors.InvalidMetadata, header.Path, "Namespace", header.Namespace!, "namespace") }.ToEquatableArray());
            // Hint names must be unique: the first header (by path) of a Namespace.ClassName wins.
            var owner = library.Where(f => f.IsHeader && f.Namespace == header.Namespace && f.ClassName == header.ClassName)
                .OrderBy(f => f.Path, StringComparer.Ordinal).FirstOrDefault();
            if (owner != null && owner.Path != header.Path)
                return new CompileResult(null, new[] { NoLocation(DiagnosticDescriptors.DuplicateOutput, header.Namespace + "." + header.ClassName) }.ToEquatableArray());
            var profile = TargetProfile.Find(profileName);
            if (profile == null)
                return new CompileResult(null, new[] { NoLocation(DiagnosticDescriptors.UnknownProfile, profileName ?? "", TargetProfile.Names) }.ToEquatableArray());
            var compiler = new HeaderCompiler(header, library, profile);
            var model = compiler.Run();
            return new CompileResult(model, compiler._diagnostics.Items.ToEquatableArray());
        }
        catch (Exception e)
        {
            // Never throw into the compiler: report and generate nothing for this header.
            return new CompileResult(null, new[] { NoLocation(DiagnosticDescriptors.InternalError, header.Path, e.GetType().Name + ": " + e.Message) }.ToEquatableArray());
        }
    }

    private SourceFile? ResolveInclude(string include)
    {
        string suffix = "/" + include;
        foreach (var f in _library)
        {
            if (!f.IsHeader && !f.IncludeOnly) continue;
            string path = f.Path.Replace('\\', '/');
            if (path.EndsWith(suffix, StringComparison.Ordinal) || path == include) return new SourceFile(f.Path, f.Text);
        }
        return null;
    }

    private HeaderModel Run()
    {
        var pp = new Preprocessor(_files, ResolveInclude, _profile, _diagnostics);
        pp.Run();
        var comments = new CommentIndex(pp.Comments);
        var evaluator = new UnitEvaluator(pp.Macros, _profile, _layout);
        var parser = new DeclParser(pp.Output, _profile, _diagnostics, comments, evaluator.Evaluate);
        evaluator.Parser = parser;
        parser.Parse();

        var names = new TypeNames(_files, _library, _header.Namespace!);
        var (structs, wanted) = StructCollector.Collect(parser, _layout, names, _filter, _diagnostics, names.ComesAlong);
        var constants = new ConstantSet();
        var enums = EnumCollector.Collect(parser, _filter, wanted, constants, _diagnostics);
        var ioctlDocs = IoctlDocScanner.Scan(comments.All(0), _profile);
        var overrides = IoctlMapFile.Load(_header, _library, _diagnostics.Items, _profile);
        var ioctlBuilder = new IoctlModelBuilder(_profile, _diagnostics, parser.Records, overrides, ioctlDocs, structs, names,
            record => !names.IsIncludeOnly(record.At.File) && Emittable(record));
        var ioctls = MacroCollector.Collect(pp, parser, evaluator, _filter, comments, ioctlBuilder, constants, _diagnostics);

        return new HeaderModel(
            HintName: HintName(),
            SourcePath: System.IO.Path.GetFileName(_header.Path),
            SourceSha256: Sha256(_header.Text),
            Profile: _profile.Name,
            Namespace: _header.Namespace!,
            ClassName: _header.ClassName!,
            Structs: structs.ToEquatableArray(),
            Enums: enums.ToEquatableArray(),
            Constants: constants.Items.ToEquatableArray(),
            Ioctls: ioctls.ToEquatableArray());
    }

    /// <summary>Whether a record of an included header is generated there (laid out without error;
    /// an include-only header generates nothing, so an ioctl on its struct takes a raw pointer).</summary>
    private bool Emittable(RecordDecl record)
    {
        try
        {
            _layout.Layout(record);
            return true;
        }
        catch (LayoutEngine.LayoutException)
        {
            return false;
        }
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
}
