using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator;

/// <summary>Every diagnostic the generator reports. IDs are stable: never renumber, only add.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "IommuFd.UapiGenerator";

    public static readonly DiagnosticDescriptor InternalError = new(
        "UAPI001", "Generator internal error",
        "The uAPI generator failed on '{0}': {1}", Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor MissingMetadata = new(
        "UAPI002", "UapiHeader item is incomplete",
        "UapiHeader '{0}' needs the {1} metadata", Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor UnsupportedDeclaration = new(
        "UAPI003", "Declaration skipped",
        "Declaration skipped: {0}", Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor MalformedMacro = new(
        "UAPI004", "Malformed macro or constant expression",
        "'{0}' is malformed: {1}", Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor IncludeNotFound = new(
        "UAPI005", "Included header not found",
        "#include {0} is neither a built-in header nor a UapiHeader item; its declarations are unknown", Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor UnknownType = new(
        "UAPI006", "Unknown type",
        "Unknown type '{0}'; the declaration using it is skipped", Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor IoctlArgumentUnknown = new(
        "UAPI007", "Ioctl argument type unknown",
        "The argument type of ioctl '{0}' is not in its macro, its kernel-doc or the IoctlMap file; its wrapper takes a raw pointer", Category, DiagnosticSeverity.Info, true);

    public static readonly DiagnosticDescriptor DuplicateName = new(
        "UAPI008", "Duplicate name",
        "'{0}' is declared more than once; the later declaration is skipped", Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor UnknownProfile = new(
        "UAPI009", "Unknown target profile",
        "UapiTargetProfile '{0}' is not one of: {1}", Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor BadIoctlMap = new(
        "UAPI010", "Bad IoctlMap entry",
        "IoctlMap entry is invalid: {0}", Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor PreprocessorError = new(
        "UAPI011", "Preprocessor error",
        "{0}", Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor IoctlMapNotFound = new(
        "UAPI012", "IoctlMap file not found",
        "IoctlMap '{0}' of UapiHeader '{1}' is not among the compilation's additional files", Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor IoctlDocUnknownType = new(
        "UAPI013", "Ioctl kernel-doc names an undeclared type",
        "The kernel-doc of ioctl '{0}' names '{1}', which is not declared; its wrapper takes a raw pointer (map it in the IoctlMap file)", Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor UnreadableFile = new(
        "UAPI014", "Header cannot be read",
        "'{0}' cannot be read; nothing is generated from it", Category, DiagnosticSeverity.Error, true);

    /// <summary>Looks a descriptor up by ID (models carry IDs, not descriptors).</summary>
    public static DiagnosticDescriptor ById(string id) => id switch
    {
        "UAPI002" => MissingMetadata,
        "UAPI003" => UnsupportedDeclaration,
        "UAPI004" => MalformedMacro,
        "UAPI005" => IncludeNotFound,
        "UAPI006" => UnknownType,
        "UAPI007" => IoctlArgumentUnknown,
        "UAPI008" => DuplicateName,
        "UAPI009" => UnknownProfile,
        "UAPI010" => BadIoctlMap,
        "UAPI011" => PreprocessorError,
        "UAPI012" => IoctlMapNotFound,
        "UAPI013" => IoctlDocUnknownType,
        "UAPI014" => UnreadableFile,
        _ => InternalError,
    };
}
