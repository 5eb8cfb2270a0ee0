using System.Collections.Generic;

namespace IommuFd.UapiGenerator.Model;

/// <summary>How C names become C# names: unchanged where possible, <c>@</c>-escaped when they
/// are keywords, <c>_</c>-suffixed when a member would share its type's name.</summary>
internal static class Naming
{
    private static readonly HashSet<string> Keywords = new()
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    public static bool IsKeyword(string name) => Keywords.Contains(name);

    public static string Identifier(string name) => Keywords.Contains(name) ? "@" + name : name;

    /// <summary>A member name inside type <paramref name="enclosing"/>.</summary>
    public static string Member(string name, string enclosing) => name == enclosing ? name + "_" : Identifier(name);

    /// <summary>The nested type generated for a named member of anonymous struct/union type.</summary>
    public static string NestedType(string member) => member + "_t";

    /// <summary>The [InlineArray] type of a fixed array member; inner dimensions get _1, _2...</summary>
    public static string InlineArray(string member, int depth) => depth == 0 ? member + "_Array" : member + "_Array_" + depth;

    /// <summary>The byte offset constant of a flexible array member.</summary>
    public static string FlexOffset(string member) => member + "_Offset";
}
