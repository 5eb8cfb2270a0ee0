using IommuFd.UapiGenerator.Helpers;

namespace IommuFd.UapiGenerator.Model;

/// <summary>A diagnostic as plain data: descriptor ID, message arguments, and a location in a
/// header (path, character span, 0-based line/column span). Null path: no location.</summary>
internal sealed record DiagnosticInfo(
    string Id,
    EquatableArray<string> Arguments,
    string? Path,
    int Start,
    int Length,
    int StartLine,
    int StartColumn,
    int EndLine,
    int EndColumn);
