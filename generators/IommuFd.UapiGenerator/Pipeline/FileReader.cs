using System.Threading;
using IommuFd.UapiGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace IommuFd.UapiGenerator;

/// <summary>Turns an AdditionalFiles item into a <see cref="UapiFile"/> using the metadata the
/// props file makes visible (<c>build_metadata.AdditionalFiles.Uapi*</c>), or null for files
/// that are not ours.</summary>
internal static class FileReader
{
    public const string KindKey = "build_metadata.AdditionalFiles.UapiKind";
    public const string NamespaceKey = "build_metadata.AdditionalFiles.UapiNamespace";
    public const string ClassNameKey = "build_metadata.AdditionalFiles.UapiClassName";
    public const string FilterKey = "build_metadata.AdditionalFiles.UapiFilter";
    public const string IoctlMapKey = "build_metadata.AdditionalFiles.UapiIoctlMap";
    public const string ProfileKey = "build_property.UapiTargetProfile";
    public const string VisibilityKey = "build_property.UapiVisibility";

    public static UapiFile? Read(AdditionalText text, AnalyzerConfigOptions options, CancellationToken cancellationToken)
    {
        if (!options.TryGetValue(KindKey, out var kind)) return null;
        bool header = kind == "Header";
        bool includeOnly = kind == "Include";
        if (!header && !includeOnly && kind != "IoctlMap") return null;
        var source = text.GetText(cancellationToken);
        string content = source?.ToString() ?? "";
        return new UapiFile(
            text.Path,
            content,
            header,
            Value(options, NamespaceKey),
            Value(options, ClassNameKey),
            Value(options, FilterKey),
            Value(options, IoctlMapKey),
            Readable: source != null,
            IncludeOnly: includeOnly);
    }

    private static string? Value(AnalyzerConfigOptions options, string key) =>
        options.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
}
