using System.Collections.Generic;
using System.Linq;
using IommuFd.UapiGenerator.Helpers;
using IommuFd.UapiGenerator.Model;
using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator.CFront;

/// <summary>Collects diagnostics located at tokens of the translation unit's files.</summary>
internal sealed class DiagnosticBag
{
    private readonly IReadOnlyList<SourceFile> _files;

    public DiagnosticBag(IReadOnlyList<SourceFile> files) => _files = files;

    public List<DiagnosticInfo> Items { get; } = new();

    public void Report(DiagnosticDescriptor id, Token? at, params string[] args)
    {
        if (at == null || at.File < 0 || at.File >= _files.Count)
        {
            Items.Add(new DiagnosticInfo(id, args.ToEquatableArray(), null, 0, 0, 0, 0, 0, 0));
            return;
        }
        int length = System.Math.Max(at.Text.Length, 0);
        Items.Add(new DiagnosticInfo(id, args.ToEquatableArray(), _files[at.File].Path, at.Offset, length,
            at.Line, at.Column, at.Line, at.Column + length));
    }

    public void ReportAt(DiagnosticDescriptor id, string path, int offset, int length, int line, int column, params string[] args) =>
        Items.Add(new DiagnosticInfo(id, args.ToEquatableArray(), path, offset, length, line, column, line, column + length));
}
