using System.Text;

namespace IommuFd.UapiGenerator.Helpers;

/// <summary>Writes C# source line by line with explicit indentation (no syntax trees, no
/// NormalizeWhitespace: generated text is exactly what is written here).</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void WriteLine(string line = "")
    {
        if (line.Length > 0)
            _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
    }

    /// <summary>Writes <c>{</c> and indents until the matching <see cref="CloseBlock"/>.</summary>
    public void OpenBlock()
    {
        WriteLine("{");
        _indent++;
    }

    public void CloseBlock(string suffix = "")
    {
        _indent--;
        WriteLine("}" + suffix);
    }

    public override string ToString() => _text.ToString();
}
