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

/// <summary>A field over part of a user address prints as <c>"@a+OFF[I:J]"</c>: bytes I to J-1 of
/// the little-endian address (see <see cref="Layout.SymbolSlices"/>).</summary>
public static class SymbolicSlice
{
    /// <summary>Parses <c>"@a+OFF[I:J]"</c> with 0 &lt;= I &lt; J &lt;= 8.</summary>
    public static bool TryParse(string text, out string buffer, out ulong offset, out int from, out int to)
    {
        (from, to) = (0, 0);
        int open = text.LastIndexOf('['), colon = text.LastIndexOf(':');
        if (open < 0 || colon < open || !text.EndsWith(']')
            || !int.TryParse(text.AsSpan(open + 1, colon - open - 1), NumberStyles.None, CultureInfo.InvariantCulture, out from)
            || !int.TryParse(text.AsSpan(colon + 1, text.Length - colon - 2), NumberStyles.None, CultureInfo.InvariantCulture, out to)
            || from >= to || to > 8)
        {
            buffer = "";
            offset = 0;
            return false;
        }
        return SymbolicAddress.TryParse(text[..open], out buffer, out offset);
    }

    /// <summary>Bytes <paramref name="from"/> to <paramref name="to"/>-1 of <paramref name="address"/> as an integer.</summary>
    public static ulong Of(ulong address, int from, int to)
    {
        int bits = (to - from) * 8;
        ulong shifted = address >> (from * 8);
        return bits == 64 ? shifted : shifted & ((1UL << bits) - 1);
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
