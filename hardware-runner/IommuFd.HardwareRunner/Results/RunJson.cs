using System.Text.Json;
using System.Text.Json.Serialization;

namespace IommuFd.HardwareRunner.Results;

/// <summary>The JSON conventions of the runner's own files (summary, journal).</summary>
public static class RunJson
{
    /// <summary>camelCase, enums as strings, indented.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Same as <see cref="Options"/>, indented for files people read.</summary>
    public static JsonSerializerOptions Indented { get; } = new(Options) { WriteIndented = true };
}
