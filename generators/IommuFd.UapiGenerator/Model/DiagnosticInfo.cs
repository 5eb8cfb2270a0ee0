using IommuFd.UapiGenerator.Helpers;
using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator.Model;

/// <summary>A diagnostic as plain data: its descriptor (equatable, so the incremental cache still
/// compares by value), message arguments, and a location in a header (path, character span,
/// 0-based line/column span). Null path: no location.</summary>
internal sealed record DiagnosticInfo(
    DiagnosticDescriptor Descriptor,
    EquatableArray<string> Arguments,
    string? Path,
    int Start,
    int Length,
    int StartLine,
    int StartColumn,
    int EndLine,
    int EndColumn)
{
    public string Id => Descriptor.Id;
}
