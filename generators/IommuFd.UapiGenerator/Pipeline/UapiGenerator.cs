using System;
using System.Linq;
using IommuFd.UapiGenerator.Emit;
using IommuFd.UapiGenerator.Helpers;
using IommuFd.UapiGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace IommuFd.UapiGenerator;

/// <summary>Generates blittable C# from the C uAPI headers given as <c>UapiHeader</c> items.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class UapiGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var profile = context.AnalyzerConfigOptionsProvider
            .Select((options, _) => options.GlobalOptions.TryGetValue(FileReader.ProfileKey, out var p) ? p : "")
            .WithTrackingName(StepNames.Profile);

        var files = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select((pair, ct) => FileReader.Read(pair.Left, pair.Right.GetOptions(pair.Left), ct))
            .WithTrackingName(StepNames.Files)
            .Where(file => file != null)
            .Select((file, _) => file!);

        var library = files.Collect()
            .Select((all, _) => all.OrderBy(f => f.Path, StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(StepNames.Library);

        var compiled = files
            .Where(file => file.IsHeader)
            .WithTrackingName(StepNames.Headers)
            .Combine(library)
            .Combine(profile)
            .Select((input, _) => HeaderCompiler.Compile(input.Left.Left, input.Left.Right, input.Right))
            .WithTrackingName(StepNames.Compile);

        var models = compiled.Select((result, _) => result.Model).WithTrackingName(StepNames.Model);
        var diagnostics = compiled.Select((result, _) => result.Diagnostics).WithTrackingName(StepNames.Diagnostics);

        context.RegisterSourceOutput(models, static (spc, model) =>
        {
            if (model == null) return;
            string source;
            try
            {
                source = CSharpEmitter.Emit(model);
            }
            catch (Exception e)
            {
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, model.SourcePath, e.Message));
                return;
            }
            spc.AddSource(model.HintName, SourceText.From(source, System.Text.Encoding.UTF8));
        });

        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var d in list)
            {
                Diagnostic diagnostic;
                try
                {
                    diagnostic = ToDiagnostic(d);
                }
                catch (ArgumentException e)
                {
                    diagnostic = Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, d.Path ?? "", $"{d.Id} has a bad location: {e.Message}");
                }
                spc.ReportDiagnostic(diagnostic);
            }
        });
    }

    private static Diagnostic ToDiagnostic(DiagnosticInfo info)
    {
        var start = new LinePosition(Math.Max(0, info.StartLine), Math.Max(0, info.StartColumn));
        var end = new LinePosition(Math.Max(start.Line, info.EndLine), Math.Max(info.EndLine > start.Line ? 0 : start.Character, info.EndColumn));
        var location = info.Path == null
            ? Location.None
            : Location.Create(info.Path, new TextSpan(Math.Max(0, info.Start), Math.Max(0, info.Length)), new LinePositionSpan(start, end));
        return Diagnostic.Create(info.Descriptor, location, info.Arguments.Cast<object>().ToArray());
    }
}
