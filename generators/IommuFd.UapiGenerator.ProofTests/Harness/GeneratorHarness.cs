using System.Collections.Immutable;
using IommuFd.Uapi;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace IommuFd.UapiGenerator.ProofTests.Harness;

/// <summary>A header and the text to feed for it (the real file, or a mutation of it).</summary>
public sealed record HeaderInput(UapiHeader Header, string Text);

/// <summary>Runs the generator in-process the way the compiler does inside a build: headers as
/// AdditionalFiles, their item metadata and the target profile as analyzer-config options.</summary>
public static class GeneratorHarness
{
    /// <summary>Parse options of the consuming compilation.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>A driver over <paramref name="inputs"/> for <paramref name="profile"/>; step
    /// tracking on so tests and benchmarks can read the run reasons.</summary>
    public static GeneratorDriver CreateDriver(IIncrementalGenerator generator, IEnumerable<HeaderInput> inputs, string profile) =>
        CreateDriver(generator, inputs, profile, out _);

    /// <summary>As above, also giving the AdditionalText instances (for ReplaceAdditionalText).</summary>
    public static GeneratorDriver CreateDriver(IIncrementalGenerator generator, IEnumerable<HeaderInput> inputs, string profile,
        out IReadOnlyList<AdditionalText> additionalTexts)
    {
        var texts = new List<AdditionalText>();
        var perFile = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        foreach (HeaderInput input in inputs)
        {
            texts.Add(new InMemoryAdditionalText(input.Header.FullPath, input.Text));
            var options = new Dictionary<string, string>
            {
                [GeneratorOptionKeys.Kind] = "Header",
                [GeneratorOptionKeys.Namespace] = input.Header.Namespace,
                [GeneratorOptionKeys.ClassName] = input.Header.ClassName,
            };
            perFile[input.Header.FullPath] = options;
            if (input.Header.IoctlMapPath is not { } map) continue;
            options[GeneratorOptionKeys.IoctlMap] = map;
            if (!perFile.ContainsKey(map))
            {
                texts.Add(new InMemoryAdditionalText(map, File.ReadAllText(map)));
                perFile[map] = new Dictionary<string, string> { [GeneratorOptionKeys.Kind] = "IoctlMap" };
            }
        }
        var global = new Dictionary<string, string> { [GeneratorOptionKeys.TargetProfile] = profile };
        additionalTexts = texts;
        return CSharpGeneratorDriver.Create(
            [generator.AsSourceGenerator()],
            texts,
            ParseOptions,
            new TestAnalyzerConfigOptionsProvider(global, perFile),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    /// <summary>An empty consumer compilation referencing the framework and IommuFd.Uapi.Runtime.</summary>
    public static CSharpCompilation CreateCompilation(string assemblyName, params SyntaxTree[] trees) =>
        CSharpCompilation.Create(
            assemblyName,
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>Runs the generator over the headers for a profile and returns what it produced.</summary>
    public static GenerationOutcome Generate(IIncrementalGenerator generator, IEnumerable<HeaderInput> inputs, string profile)
    {
        GeneratorDriver driver = CreateDriver(generator, inputs, profile);
        CSharpCompilation compilation = CreateCompilation("UapiProof_" + profile.Replace('-', '_'));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GenerationOutcome(driver.GetRunResult(), output, diagnostics);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The shared framework the tests run on, plus the runtime types generated code uses.
        string frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetDirectoryName(p) == frameworkDir)
            .Append(typeof(CNameAttribute).Assembly.Location);
        return [.. paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}

/// <summary>One generator run: the driver's result, the compilation with generated sources
/// added, and the diagnostics the driver itself reported.</summary>
public sealed record GenerationOutcome(GeneratorDriverRunResult RunResult, Compilation Output, ImmutableArray<Diagnostic> DriverDiagnostics)
{
    /// <summary>Exceptions thrown by generators (the driver catches them and reports CS8785).</summary>
    public IEnumerable<Exception> Exceptions => RunResult.Results.Select(r => r.Exception).OfType<Exception>();

    /// <summary>Every diagnostic the generator reported.</summary>
    public IEnumerable<Diagnostic> GeneratorDiagnostics => RunResult.Results.SelectMany(r => r.Diagnostics);

    /// <summary>Compiler errors in the compilation that includes the generated sources.</summary>
    public IEnumerable<Diagnostic> CompileErrors =>
        Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>All generated source text, for failure messages.</summary>
    public string GeneratedText =>
        string.Join("\n", RunResult.GeneratedTrees.Select(t => $"// ---- {Path.GetFileName(t.FilePath)}\n{t}"));
}
