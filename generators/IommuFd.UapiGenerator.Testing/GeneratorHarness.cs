using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace IommuFd.UapiGenerator.Testing;

/// <summary>Runs a generator in-process the way the compiler does inside a build: headers as
/// AdditionalFiles, their item metadata and the target profile as analyzer-config options; and
/// compiles what it generates as a consumer with TreatWarningsAsErrors would.</summary>
public static class GeneratorHarness
{
    /// <summary>Parse options of the consuming compilation.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>A driver over <paramref name="inputs"/> (an input's IoctlMap file is read from disk
    /// when no input has its path); <paramref name="texts"/> are the AdditionalText instances it
    /// holds (for ReplaceAdditionalText). Null profile: the option is not set. <paramref name="properties"/>:
    /// further <c>build_property.*</c> values (<see cref="GeneratorOptionKeys"/>).</summary>
    public static GeneratorDriver CreateDriver(IIncrementalGenerator generator, IEnumerable<HeaderInput> inputs, string? profile,
        out ImmutableArray<AdditionalText> texts, bool trackSteps = true, IReadOnlyDictionary<string, string>? properties = null)
    {
        var list = inputs.ToList();
        foreach (string map in list.Select(i => i.IoctlMap).OfType<string>().Distinct().ToList())
            if (list.All(i => i.Path != map) && File.Exists(map)) list.Add(HeaderInput.Map(map, File.ReadAllText(map)));
        texts = [.. list.Select(i => (AdditionalText)new InMemoryAdditionalText(i.Path, i.Text))];
        var perFile = list.ToDictionary(i => i.Path, i => i.Options());
        var global = new Dictionary<string, string>();
        if (profile != null) global[GeneratorOptionKeys.TargetProfile] = profile;
        foreach (var (key, value) in properties ?? new Dictionary<string, string>()) global[key] = value;
        return CSharpGeneratorDriver.Create(
            [generator.AsSourceGenerator()],
            texts,
            ParseOptions,
            new TestAnalyzerConfigOptionsProvider(global, perFile),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));
    }

    /// <inheritdoc cref="CreateDriver(IIncrementalGenerator, IEnumerable{HeaderInput}, string?, out ImmutableArray{AdditionalText}, bool)"/>
    public static GeneratorDriver CreateDriver(IIncrementalGenerator generator, IEnumerable<HeaderInput> inputs, string? profile) =>
        CreateDriver(generator, inputs, profile, out _);

    /// <summary>A consumer compilation of <paramref name="sources"/> referencing the framework and
    /// IommuFd.Uapi.Runtime: unsafe code and nullable on, every warning an error.</summary>
    public static CSharpCompilation CreateCompilation(string assemblyName, params string[] sources) =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    // Assembly-version unification notes, not about the generated code.
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));

    /// <summary>Runs the generator over the headers for a profile, in a consumer compiling
    /// <paramref name="extraSources"/>, and returns what it produced.</summary>
    public static GenerationOutcome Generate(IIncrementalGenerator generator, IEnumerable<HeaderInput> inputs, string? profile = null,
        params string[] extraSources)
    {
        GeneratorDriver driver = CreateDriver(generator, inputs, profile);
        CSharpCompilation compilation = CreateCompilation("UapiGenerated_" + (profile ?? "default").Replace('-', '_'), extraSources);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GenerationOutcome(driver.GetRunResult(), output, diagnostics);
    }

    /// <summary>The errors of a compilation (in <see cref="CreateCompilation"/>'s, every warning is one).</summary>
    public static IReadOnlyList<Diagnostic> CompileErrors(Compilation compilation) =>
        [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The shared framework the tests run on, plus the runtime types generated code uses.
        string frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetDirectoryName(p) == frameworkDir)
            .Append(typeof(IommuFd.Uapi.CNameAttribute).Assembly.Location);
        return [.. paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}

/// <summary>One generator run: the driver's result, the compilation with generated sources
/// added, and the diagnostics the driver itself reported.</summary>
public sealed record GenerationOutcome(GeneratorDriverRunResult RunResult, Compilation Output, ImmutableArray<Diagnostic> DriverDiagnostics)
{
    /// <summary>The one generator's result.</summary>
    public GeneratorRunResult Result => RunResult.Results.Single();

    /// <summary>Exceptions thrown by generators (the driver catches them and reports CS8785).</summary>
    public IEnumerable<Exception> Exceptions => RunResult.Results.Select(r => r.Exception).OfType<Exception>();

    /// <summary>Every diagnostic the generator reported.</summary>
    public IEnumerable<Diagnostic> GeneratorDiagnostics => RunResult.Results.SelectMany(r => r.Diagnostics);

    /// <summary>Errors of compiling the generated sources (every warning is one).</summary>
    public IReadOnlyList<Diagnostic> CompileErrors => GeneratorHarness.CompileErrors(Output);

    /// <summary>The generator's result and the compilation with its output.</summary>
    public void Deconstruct(out GeneratorRunResult result, out Compilation output)
    {
        result = Result;
        output = Output;
    }

    /// <summary>All generated source text, for failure messages.</summary>
    public string GeneratedText =>
        string.Join("\n", RunResult.GeneratedTrees.Select(t => $"// ---- {Path.GetFileName(t.FilePath)}\n{t}"));
}
