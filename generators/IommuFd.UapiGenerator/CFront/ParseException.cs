namespace IommuFd.UapiGenerator.CFront;

/// <summary>Unwinds the declaration parser to the enclosing file-scope declaration, which is
/// then skipped with diagnostic <see cref="Id"/>.</summary>
internal sealed class ParseException : System.Exception
{
    public ParseException(string id, Token at, params string[] arguments) : base(string.Join(" ", arguments))
    {
        Id = id;
        At = at;
        Arguments = arguments;
    }

    public string Id { get; }
    public Token At { get; }
    public string[] Arguments { get; }
}
