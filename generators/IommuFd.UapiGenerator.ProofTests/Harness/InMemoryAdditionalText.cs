using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace IommuFd.UapiGenerator.ProofTests.Harness;

/// <summary>A header handed to the generator as an AdditionalFile without touching the disk.</summary>
public sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    /// <inheritdoc/>
    public override string Path { get; } = path;

    /// <inheritdoc/>
    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}
