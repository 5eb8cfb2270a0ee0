using System.Collections.Generic;

namespace IommuFd.UapiGenerator.CFront;

/// <summary>Splits C source into tokens and comments. Backslash-newline is a continuation: it
/// joins lines and is otherwise invisible.</summary>
internal sealed class Lexer
{
    private static readonly string[] Puncts =
    {
        "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
        "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "##",
    };

    private readonly string _text;
    private readonly int _file;
    private int _pos;
    private int _line;
    private int _lineStart;
    private bool _startOfLine = true;
    private bool _codeOnLine;

    public Lexer(string text, int file)
    {
        _text = text;
        _file = file;
    }

    public List<Token> Tokens { get; } = new();
    public List<Comment> Comments { get; } = new();
    /// <summary>Lexical errors: (offset, line, column, message).</summary>
    public List<(int Offset, int Line, int Column, string Message)> Errors { get; } = new();

    public void Run()
    {
        while (true)
        {
            SkipWhitespaceAndComments();
            if (_pos >= _text.Length) break;
            LexToken();
        }
        Tokens.Add(new Token(TokenKind.End, "", _file, _text.Length, _line, _pos - _lineStart, true));
    }

    private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private void NewLine()
    {
        _line++;
        _lineStart = _pos;
        _startOfLine = true;
        _codeOnLine = false;
    }

    private void SkipWhitespaceAndComments()
    {
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c == '\n') { _pos++; NewLine(); }
            else if (c == '\\' && (Peek(1) == '\n' || (Peek(1) == '\r' && Peek(2) == '\n')))
            {
                _pos += Peek(1) == '\r' ? 3 : 2;
                _line++;
                _lineStart = _pos;
            }
            else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') _pos++;
            else if (c == '/' && Peek(1) == '*') LexBlockComment();
            else if (c == '/' && Peek(1) == '/')
            {
                int start = _pos;
                while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
                Comments.Add(new Comment(_text.Substring(start, _pos - start), start, _line, _line, false, _codeOnLine));
            }
            else break;
        }
    }

    private void LexBlockComment()
    {
        int start = _pos, startLine = _line, startColumn = _pos - _lineStart;
        bool trailing = _codeOnLine;
        _pos += 2;
        while (_pos < _text.Length && !(_text[_pos] == '*' && Peek(1) == '/'))
        {
            if (_text[_pos] == '\n') { _line++; _lineStart = _pos + 1; }
            _pos++;
        }
        if (_pos >= _text.Length)
            Errors.Add((start, startLine, startColumn, "unterminated comment"));
        else
            _pos += 2;
        string text = _text.Substring(start, _pos - start);
        bool kernelDoc = text.StartsWith("/**", System.StringComparison.Ordinal) && !text.StartsWith("/**/", System.StringComparison.Ordinal);
        Comments.Add(new Comment(text, start, startLine, _line, kernelDoc, trailing));
    }

    private void Add(TokenKind kind, int start)
    {
        Tokens.Add(new Token(kind, _text.Substring(start, _pos - start), _file, start, _line, start - _lineStart, _startOfLine));
        _startOfLine = false;
        _codeOnLine = true;
    }

    private void LexToken()
    {
        int start = _pos;
        char c = _text[_pos];
        if (char.IsLetter(c) || c == '_')
        {
            while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '_')) _pos++;
            Add(TokenKind.Identifier, start);
        }
        else if (char.IsDigit(c) || (c == '.' && char.IsDigit(Peek(1))))
        {
            // pp-number: digits, letters, dots, and exponent signs.
            while (_pos < _text.Length)
            {
                char d = _text[_pos];
                if (char.IsLetterOrDigit(d) || d == '_' || d == '.') _pos++;
                else if ((d == '+' || d == '-') && (_text[_pos - 1] == 'e' || _text[_pos - 1] == 'E' || _text[_pos - 1] == 'p' || _text[_pos - 1] == 'P') && !IsHexStart(start)) _pos++;
                else break;
            }
            Add(TokenKind.Number, start);
        }
        else if (c == '\'' || c == '"')
        {
            _pos++;
            while (_pos < _text.Length && _text[_pos] != c && _text[_pos] != '\n')
            {
                if (_text[_pos] == '\\') _pos++;
                _pos++;
            }
            if (_pos >= _text.Length || _text[_pos] != c)
                Errors.Add((start, _line, start - _lineStart, c == '\'' ? "unterminated character literal" : "unterminated string literal"));
            else
                _pos++;
            Add(c == '\'' ? TokenKind.Char : TokenKind.String, start);
        }
        else
        {
            foreach (var p in Puncts)
            {
                if (string.CompareOrdinal(_text, _pos, p, 0, p.Length) == 0)
                {
                    _pos += p.Length;
                    Add(TokenKind.Punct, start);
                    return;
                }
            }
            _pos++;
            Add(TokenKind.Punct, start);
        }
    }

    private bool IsHexStart(int start) =>
        start + 1 < _text.Length && _text[start] == '0' && (_text[start + 1] == 'x' || _text[start + 1] == 'X');
}
