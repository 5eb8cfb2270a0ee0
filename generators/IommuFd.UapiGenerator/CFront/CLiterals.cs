using System;
using System.Globalization;

namespace IommuFd.UapiGenerator.CFront;

/// <summary>C integer and character literals with their C types.</summary>
internal static class CLiterals
{
    /// <summary>C integer literal with its type (C11 6.4.4.1).</summary>
    public static CValue ParseNumber(Token t)
    {
        string s = t.Text;
        int end = s.Length;
        while (end > 0 && (s[end - 1] is 'u' or 'U' or 'l' or 'L')) end--;
        string suffix = s.Substring(end).ToLowerInvariant();
        string digits = s.Substring(0, end);
        if (suffix is not ("" or "u" or "l" or "ul" or "lu" or "ll" or "ull" or "llu"))
            throw new EvalException(EvalStatus.Malformed, $"bad integer suffix in '{s}'", t);
        ulong value;
        bool decimalBase;
        try
        {
            if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                decimalBase = false;
                value = ulong.Parse(digits.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            }
            else if (digits.StartsWith("0b", StringComparison.OrdinalIgnoreCase))
            {
                decimalBase = false;
                value = Convert.ToUInt64(digits.Substring(2), 2);
            }
            else if (digits.Length > 1 && digits[0] == '0')
            {
                decimalBase = false;
                value = Convert.ToUInt64(digits.Substring(1), 8);
            }
            else
            {
                decimalBase = true;
                if (digits.Length == 0 || digits.IndexOf('.') >= 0 || digits.IndexOfAny(new[] { 'e', 'E' }) >= 0)
                    throw new EvalException(EvalStatus.NotConstant, $"'{s}' is not an integer", t);
                value = ulong.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            }
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            if (digits.IndexOf('.') >= 0) throw new EvalException(EvalStatus.NotConstant, $"'{s}' is not an integer", t);
            throw new EvalException(EvalStatus.Malformed, $"bad integer literal '{s}'", t);
        }
        bool u = suffix.IndexOf('u') >= 0;
        bool l = suffix.IndexOf('l') >= 0;
        if (u) return new CValue(value, !l && value <= uint.MaxValue ? CIntType.UInt : CIntType.ULong);
        if (!l && value <= int.MaxValue) return new CValue(value, CIntType.Int);
        if (!l && !decimalBase && value <= uint.MaxValue) return new CValue(value, CIntType.UInt);
        if (value <= long.MaxValue) return new CValue(value, CIntType.Long);
        if (!decimalBase) return new CValue(value, CIntType.ULong);
        throw new EvalException(EvalStatus.Malformed, $"integer literal '{s}' is too large", t);
    }

    /// <summary>A character constant (type int; the value of a plain char).</summary>
    public static CValue ParseChar(Token t, bool charIsSigned)
    {
        string s = t.Text;
        if (s.Length < 3 || s[0] != '\'' || s[s.Length - 1] != '\'') throw new EvalException(EvalStatus.Malformed, $"bad character literal {s}", t);
        string body = s.Substring(1, s.Length - 2);
        int value;
        if (body[0] != '\\')
        {
            if (body.Length != 1) throw new EvalException(EvalStatus.Malformed, $"multi-character literal {s}", t);
            value = body[0];
        }
        else
        {
            string esc = body.Substring(1);
            value = esc switch
            {
                "n" => '\n', "t" => '\t', "r" => '\r', "0" => 0, "\\" => '\\', "'" => '\'', "\"" => '"',
                "a" => 7, "b" => 8, "f" => 12, "v" => 11, "?" => '?',
                _ => ParseNumericEscape(esc, t),
            };
        }
        if (value > 0xFF) throw new EvalException(EvalStatus.Malformed, $"character literal {s} does not fit a char", t);
        if (charIsSigned && value > 0x7F) value -= 0x100;
        return CValue.Int(value);
    }

    private static int ParseNumericEscape(string esc, Token t)
    {
        try
        {
            if (esc.StartsWith("x", StringComparison.Ordinal)) return Convert.ToInt32(esc.Substring(1), 16);
            return Convert.ToInt32(esc, 8);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new EvalException(EvalStatus.Malformed, $"bad escape in character literal {t.Text}", t);
        }
    }
}
