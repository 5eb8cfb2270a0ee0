using System;
using System.Linq;
using IommuFd.UapiGenerator.Emit;
using IommuFd.UapiGenerator.Helpers;
using IommuFd.UapiGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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

        // "internal" keeps the generated types inside the consuming assembly; anything else is public.
        var access = context.AnalyzerConfigOptionsProvider
            .Select((options, _) => options.GlobalOptions.TryGetValue(FileReader.VisibilityKey, out var v) &&
                string.Equals(v.Trim(), "internal", StringComparison.OrdinalIgnoreCase) ? "internal" : "public");
        var unsafeAllowed = context.CompilationProvider
            .Select((compilation, _) => compilation.Options is CSharpCompilationOptions options && options.AllowUnsafe);

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

        context.RegisterSourceOutput(models.Combine(access).Combine(unsafeAllowed), static (spc, input) =>
        {
            var ((model, modifier), allowed) = input;
            if (model == null || !allowed) return;
            string source;
            try
            {
                source = CSharpEmitter.Emit(model, modifier);
            }
            catch (Exception e)
            {
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, model.SourcePath, e.Message));
                return;
            }
            spc.AddSource(model.HintName, SourceText.From(source, System.Text.Encoding.UTF8));
        });

        var anyHeader = files.Where(file => file.IsHeader).Collect().Select((all, _) => all.Length > 0);
        context.RegisterSourceOutput(anyHeader.Combine(unsafeAllowed), static (spc, input) =>
        {
            if (input.Left && !input.Right)
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsafeCodeNotAllowed, Location.None));
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
