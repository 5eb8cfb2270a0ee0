using System.Text.RegularExpressions;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>Says what is wrong with a configuration value the binder could not convert, in the words
/// the command line uses for the same mistake (<c>RandomSequences: 'abc' is not a whole number</c>),
/// instead of the binder's .NET type names.</summary>
public static partial class ConfigurationErrors
{
    /// <summary>The problem in one line, or null when <paramref name="e"/> is not a configuration error.</summary>
    public static string? Describe(InvalidOperationException e)
    {
        if (FailedConversion().Match(e.Message) is { Success: true } m)
            return $"{m.Groups["key"].Value}: {NotA(m.Groups["value"].Value, Type.GetType(m.Groups["type"].Value))}";
        return e.InnerException is FormatException || e.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase)
            ? $"invalid configuration: {e.Message}"
            : null;
    }

    /// <summary>The complaint about <paramref name="value"/> not being a <paramref name="type"/>.</summary>
    public static string NotA(string value, Type? type) => $"'{value}' is not {(type is null ? null : Nullable.GetUnderlyingType(type) ?? type) switch
    {
        { } t when t == typeof(int) || t == typeof(long) => "a whole number",
        { } t when t == typeof(double) => "a number",
        { } t when t == typeof(bool) => "true or false",
        _ => "a valid value",
    }}";

    [GeneratedRegex(@"Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'")]
    private static partial Regex FailedConversion();
}
