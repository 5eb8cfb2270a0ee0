using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator.CFront;

/// <summary>Unwinds the declaration parser to the enclosing file-scope declaration, which is
/// then skipped with <see cref="Descriptor"/>.</summary>
internal sealed class ParseException : System.Exception
{
    public ParseException(DiagnosticDescriptor descriptor, Token at, params string[] arguments) : base(string.Join(" ", arguments))
    {
        Descriptor = descriptor;
        At = at;
        Arguments = arguments;
    }

    public DiagnosticDescriptor Descriptor { get; }
    public Token At { get; }
    public string[] Arguments { get; }
}
