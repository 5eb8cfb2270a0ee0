using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace IommuFd.UapiGenerator.Tests.Infrastructure;

internal sealed class TestAdditionalText(string path, string? text) : AdditionalText
{
    private readonly SourceText? _text = text == null ? null : SourceText.From(text);

    public override string Path { get; } = path;

    /// <summary>Null, like a file the compiler could not read, when created with null text.</summary>
    public override SourceText? GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>Per-file and global analyzer options, as the generated editorconfig would give them.</summary>
internal sealed class TestOptions(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
{
    public static readonly TestOptions Empty = new(ImmutableDictionary<string, string>.Empty);

    public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
}

internal sealed class TestOptionsProvider(AnalyzerConfigOptions global, IReadOnlyDictionary<string, AnalyzerConfigOptions> perFile) : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions => global;

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => TestOptions.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        perFile.TryGetValue(textFile.Path, out var options) ? options : TestOptions.Empty;
}
