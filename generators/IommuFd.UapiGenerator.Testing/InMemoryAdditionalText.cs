using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace IommuFd.UapiGenerator.Testing;

/// <summary>A header handed to the generator as an AdditionalFile without touching the disk.</summary>
public sealed class InMemoryAdditionalText(string path, string? text) : AdditionalText
{
    private readonly SourceText? _text = text == null ? null : SourceText.From(text);

    /// <inheritdoc/>
    public override string Path { get; } = path;

    /// <summary>Null, like a file the compiler could not read, when created with null text.</summary>
    public override SourceText? GetText(CancellationToken cancellationToken = default) => _text;
}
