using System.Globalization;

namespace IommuFd.Conformance.Replay;

/// <summary>The <c>"@name+OFF"</c> form of a user address: buffer name plus a byte offset
/// (decimal, or hex with <c>0x</c>; printed in decimal).</summary>
public static class SymbolicAddress
{
    /// <summary>Formats a symbolic address.</summary>
    public static string Format(string buffer, ulong offset) =>
        $"@{buffer}+{offset.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <c>"@a"</c>, <c>"@a+4096"</c> or <c>"@a+0x1000"</c>.</summary>
    public static bool TryParse(string text, out string buffer, out ulong offset)
    {
        buffer = "";
        offset = 0;
        if (!text.StartsWith('@'))
            return false;
        int plus = text.IndexOf('+');
        if (plus < 0)
        {
            buffer = text[1..];
            return buffer.Length > 0;
        }
        buffer = text[1..plus];
        return buffer.Length > 0 && Numbers.TryParseUnsigned(text[(plus + 1)..], out offset);
    }
}

/// <summary>Integer spellings a trace accepts inside strings: decimal or <c>0x</c> hex.</summary>
internal static class Numbers
{
    public static bool TryParseUnsigned(string text, out ulong value)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
