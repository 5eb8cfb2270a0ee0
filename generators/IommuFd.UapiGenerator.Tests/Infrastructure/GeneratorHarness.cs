extern alias runtime;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace IommuFd.UapiGenerator.Tests.Infrastructure;

/// <summary>Runs <see cref="UapiGenerator"/> through <see cref="CSharpGeneratorDriver"/> on
/// in-memory inputs and compiles the result against the runtime library.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var list = tpa.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        list.Add(MetadataReference.CreateFromFile(typeof(runtime::IommuFd.Uapi.IIoctlTarget).Assembly.Location));
        return list.ToImmutableArray();
    });

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create("GeneratedTest",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    // Test compilations have no assembly-level attributes; the rest stays an error.
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));

    public static GeneratorDriver Driver(IEnumerable<HeaderInput> inputs, string? profile = null, bool trackSteps = true) =>
        Driver(inputs, out _, profile, trackSteps);

    /// <summary>A driver over <paramref name="inputs"/>; <paramref name="texts"/> are the instances it
    /// holds (needed to replace one later).</summary>
    public static GeneratorDriver Driver(IEnumerable<HeaderInput> inputs, out ImmutableArray<AdditionalText> texts, string? profile = null, bool trackSteps = true)
    {
        var list = inputs.ToList();
        texts = list.Select(i => (AdditionalText)new TestAdditionalText(i.Path, i.Text)).ToImmutableArray();
        var perFile = list.ToDictionary(i => i.Path, i => (AnalyzerConfigOptions)i.Options());
        var global = profile == null ? TestOptions.Empty
            : new TestOptions(ImmutableDictionary<string, string>.Empty.Add("build_property.UapiTargetProfile", profile));
        return CSharpGeneratorDriver.Create(
            new[] { new UapiGenerator().AsSourceGenerator() },
            texts,
            ParseOptions,
            new TestOptionsProvider(global, perFile),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));
    }

    /// <summary>Runs the generator once; returns its result and the compilation with the output.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(IEnumerable<HeaderInput> inputs, string? profile = null, params string[] extraSources)
    {
        var compilation = Compilation(extraSources);
        var driver = Driver(inputs, profile).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    public static HeaderInput Inline(string text, string path = "/virtual/test.h", string className = "Api", string? filter = null, string? ioctlMap = null) =>
        new(path, text, "Test.Interop", className, filter, ioctlMap);

    /// <summary>Errors and warnings of compiling the generated code, as text.</summary>
    public static string[] CompileErrors(Compilation output) =>
        output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToArray();
}
