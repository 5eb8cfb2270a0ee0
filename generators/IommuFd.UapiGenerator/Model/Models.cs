using IommuFd.UapiGenerator.Helpers;

namespace IommuFd.UapiGenerator.Model;

// Pipeline models: text and numbers only, equatable by value, so Roslyn can cache every step.
// They never hold a Compilation, ISymbol, SyntaxNode or AdditionalText.

/// <summary>An AdditionalFiles item the generator cares about: a header or an IoctlMap file.</summary>
internal sealed record UapiFile(
    string Path,
    string Text,
    bool IsHeader,
    string? Namespace,
    string? ClassName,
    string? Filter,
    string? IoctlMap,
    bool Readable = true,
    bool IncludeOnly = false);

/// <summary>Documentation for one declaration, already split into summary and remarks.</summary>
internal sealed record DocModel(string Summary, string Remarks);

internal sealed record FieldModel(string CName, string CsName, int Offset, int Size, string CsType, DocModel? Doc);

internal sealed record BitfieldModel(string CName, string CsName, string StorageName, string StorageType, int StorageOffset,
    int Shift, int Width, string ValueType, bool Signed, DocModel? Doc);

internal sealed record InlineArrayModel(string CsName, int Length, string ElementCsType);

internal sealed record FlexibleArrayModel(string CName, string CsName, int Offset, string ElementCsType, int ElementSize, DocModel? Doc);

internal sealed record StructModel(
    string CName,
    string CsName,
    bool IsUnion,
    int Size,
    int Align,
    DocModel? Doc,
    EquatableArray<FieldModel> Fields,
    EquatableArray<BitfieldModel> Bitfields,
    EquatableArray<InlineArrayModel> InlineArrays,
    EquatableArray<StructModel> NestedTypes,
    EquatableArray<FlexibleArrayModel> Flexible,
    string? SizeField,
    int Line);

internal sealed record EnumMemberModel(string Name, string Value, DocModel? Doc);

internal sealed record EnumModel(string CName, string CsName, string Underlying, bool Flags, DocModel? Doc, EquatableArray<EnumMemberModel> Members);

internal sealed record ConstantModel(string Name, string CsType, string Value, DocModel? Doc);

internal enum IoctlArgKind
{
    /// <summary>No argument (<c>VFIO_GET_API_VERSION</c>).</summary>
    None,
    /// <summary>A pointer to a generated struct.</summary>
    Struct,
    /// <summary>An integer passed by value (<c>VFIO_CHECK_EXTENSION</c>).</summary>
    Value,
    /// <summary>A pointer to something the generator has no type for.</summary>
    Pointer,
}

internal sealed record IoctlModel(string Name, uint Request, IoctlArgKind ArgKind, string? ArgCsType, string? SizeField,
    string? SizeFieldType, DocModel? Doc);

/// <summary>Everything emitted for one header.</summary>
internal sealed record HeaderModel(
    string HintName,
    string SourcePath,
    string SourceSha256,
    string Profile,
    string Namespace,
    string ClassName,
    EquatableArray<StructModel> Structs,
    EquatableArray<EnumModel> Enums,
    EquatableArray<ConstantModel> Constants,
    EquatableArray<IoctlModel> Ioctls);

/// <summary>The result of compiling one header: the model (null when nothing can be generated)
/// and the diagnostics, kept apart so diagnostics never force regeneration.</summary>
internal sealed record CompileResult(HeaderModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
