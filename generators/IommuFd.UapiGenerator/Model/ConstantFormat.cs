using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using IommuFd.UapiGenerator.CFront;

namespace IommuFd.UapiGenerator.Model;

/// <summary>C constant values as C# types and literals.</summary>
internal static class ConstantFormat
{
    /// <summary>The C# type and literal for a macro's value.</summary>
    public static (string Type, string Literal) Literal(CValue value)
    {
        string type = value.Type switch
        {
            CIntType.Int when value.ShiftedIntoSign => "uint",
            CIntType.Int => "int",
            CIntType.UInt => "uint",
            CIntType.Long => "long",
            _ => "ulong",
        };
        return (type, Format(value, type));
    }

    public static string Format(CValue value, string csType)
    {
        bool signed = csType is "int" or "long" or "short" or "sbyte";
        if (signed && value.IsNegative) return value.Signed.ToString(CultureInfo.InvariantCulture);
        ulong bits = csType is "uint" or "int" ? value.Bits & 0xFFFFFFFFUL : value.Bits;
        if (bits < 256) return bits.ToString(CultureInfo.InvariantCulture);
        return "0x" + bits.ToString("X", CultureInfo.InvariantCulture);
    }

    /// <summary>A macro made only of string literals as a C# literal, or null.</summary>
    public static string? StringConstant(IReadOnlyList<Token> body)
    {
        if (body.Count == 0 || body.Any(t => t.Kind != TokenKind.String)) return null;
        var parts = body.Select(t => t.Text.Substring(1, t.Text.Length - 2)).ToList();
        string joined = string.Concat(parts);
        // Only plain text: C escapes other than \" and \\ are not carried over.
        for (int i = 0; i < joined.Length; i++)
            if (joined[i] == '\\' && (i + 1 >= joined.Length || (joined[i + 1] != '"' && joined[i + 1] != '\\'))) return null;
            else if (joined[i] == '\\') i++;
        return "\"" + joined + "\"";
    }
}
