namespace IommuFd.UapiGenerator.CFront;

/// <summary>A header of the translation unit: its path as the compilation knows it and its text.</summary>
internal sealed class SourceFile
{
    public SourceFile(string path, string text)
    {
        Path = path;
        Text = text;
    }

    public string Path { get; }
    public string Text { get; }
}
