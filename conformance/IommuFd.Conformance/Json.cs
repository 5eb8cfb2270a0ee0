using System.Text.Encodings.Web;
using System.Text.Json;

namespace IommuFd.Conformance;

/// <summary>How the library writes JSON: compact, and without escaping '+' or other printable
/// characters, so lines read as written (<c>"@a+4096"</c>, not <c>"@a\u002B4096"</c>).</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonSerializerOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };
}
