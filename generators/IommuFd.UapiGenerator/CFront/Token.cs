namespace IommuFd.UapiGenerator.CFront;

internal enum TokenKind
{
    Identifier,
    Number,
    Char,
    String,
    Punct,
    End,
}

/// <summary>One C token with where it came from. <see cref="File"/> indexes the source table of
/// the translation unit; <see cref="StartOfLine"/> marks the first token of a logical line
/// (after backslash continuations are joined), which is how directives are recognised.</summary>
internal sealed class Token
{
    public Token(TokenKind kind, string text, int file, int offset, int line, int column, bool startOfLine)
    {
        Kind = kind;
        Text = text;
        File = file;
        Offset = offset;
        Line = line;
        Column = column;
        StartOfLine = startOfLine;
    }

    public TokenKind Kind { get; }
    public string Text { get; }
    public int File { get; }
    public int Offset { get; }
    /// <summary>0-based line.</summary>
    public int Line { get; }
    /// <summary>0-based column.</summary>
    public int Column { get; }
    public bool StartOfLine { get; }

    public int EndOffset => Offset + Text.Length;

    public bool Is(string text) => (Kind == TokenKind.Punct || Kind == TokenKind.Identifier) && Text == text;

    public override string ToString() => Text;
}

/// <summary>A comment as written, with the lines it spans (0-based).</summary>
internal sealed class Comment
{
    public Comment(string text, int offset, int startLine, int endLine, bool isKernelDoc, bool trailing)
    {
        Text = text;
        Offset = offset;
        StartLine = startLine;
        EndLine = endLine;
        IsKernelDoc = isKernelDoc;
        Trailing = trailing;
    }

    public string Text { get; }
    public int Offset { get; }
    public int StartLine { get; }
    public int EndLine { get; }
    /// <summary>Starts with <c>/**</c>.</summary>
    public bool IsKernelDoc { get; }
    /// <summary>Follows code on the same line (<c>__u32 next; /* Offset of next */</c>).</summary>
    public bool Trailing { get; }
}
