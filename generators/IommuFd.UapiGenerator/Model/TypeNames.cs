using System;
using System.Collections.Generic;
using System.Linq;
using IommuFd.UapiGenerator.CFront;

namespace IommuFd.UapiGenerator.Model;

/// <summary>C# names of tagged types as the main header's code writes them: a type declared by an
/// included header of another namespace is written with that namespace (so headers need not
/// share one, and two headers that C never includes together may declare the same tag). Types of
/// an include-only header are not generated there: its records held by value come along into the
/// main header's namespace, its enums are written as their underlying integer type.</summary>
internal sealed class TypeNames
{
    private readonly IReadOnlyList<SourceFile> _files;
    private readonly IReadOnlyList<UapiFile> _library;
    private readonly string _namespace;

    public TypeNames(IReadOnlyList<SourceFile> files, IReadOnlyList<UapiFile> library, string mainNamespace)
    {
        _files = files;
        _library = library;
        _namespace = mainNamespace;
    }

    public string Of(RecordDecl record) => Qualify(record.At.File, StructModelBuilder.CsNameOf(record));

    public string Of(EnumDecl e) =>
        IsIncludeOnly(e.At.File) ? Layout.LayoutEngine.EnumUnderlying(e) : Qualify(e.At.File, Naming.Identifier(e.Tag ?? ""));

    /// <summary>Whether records declared in <paramref name="file"/> are generated with the main
    /// header's (the main header itself, and include-only headers).</summary>
    public bool ComesAlong(int file) => file == 0 || IsIncludeOnly(file);

    /// <summary>Whether <paramref name="file"/> is an include-only header.</summary>
    public bool IsIncludeOnly(int file) =>
        file > 0 && file < _files.Count &&
        _library.Any(f => f.IncludeOnly && string.Equals(f.Path, _files[file].Path, StringComparison.Ordinal));

    private string Qualify(int file, string name)
    {
        if (file <= 0 || file >= _files.Count) return name;
        string path = _files[file].Path;
        string? ns = _library.FirstOrDefault(f => f.IsHeader && string.Equals(f.Path, path, StringComparison.Ordinal))?.Namespace;
        return ns == null || ns == _namespace ? name : "global::" + ns + "." + name;
    }
}
