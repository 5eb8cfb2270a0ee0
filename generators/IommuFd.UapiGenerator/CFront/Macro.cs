using System.Collections.Generic;

namespace IommuFd.UapiGenerator.CFront;

/// <summary>A <c>#define</c>: object-like or function-like, with its replacement tokens and the
/// token of its name (for locations). <see cref="File"/> is -1 for the generator's built-ins.</summary>
internal sealed class Macro
{
    public Macro(string name, IReadOnlyList<string>? parameters, IReadOnlyList<Token> body, Token? nameToken, int file, bool variadic = false)
    {
        IsVariadic = variadic;
        Name = name;
        Parameters = parameters;
        Body = body;
        NameToken = nameToken;
        File = file;
    }

    public string Name { get; }
    /// <summary>Null for object-like macros.</summary>
    public IReadOnlyList<string>? Parameters { get; }
    public bool IsFunctionLike => Parameters != null;
    /// <summary>The last parameter takes the remaining arguments (<c>...</c> as <c>__VA_ARGS__</c>, or <c>NAME...</c>).</summary>
    public bool IsVariadic { get; }
    public IReadOnlyList<Token> Body { get; }
    public Token? NameToken { get; }
    public int File { get; }
    /// <summary>Index among all definitions, in source order.</summary>
    public int Order { get; set; }
}
