using System.Collections.Immutable;
using IommuFd.UapiGenerator.Model;
using IommuFd.UapiGenerator.Testing;
using IommuFd.UapiGenerator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace IommuFd.UapiGenerator.Tests;

/// <summary>Run reasons of the named pipeline steps across edits.</summary>
public class IncrementalTests
{
    private static readonly string[] AllSteps =
    [
        StepNames.Profile, StepNames.Files, StepNames.Library, StepNames.Headers,
        StepNames.Compile, StepNames.Model, StepNames.Diagnostics,
    ];

    private static (GeneratorDriver Driver, Compilation Compilation, ImmutableArray<AdditionalText> Texts) Start()
    {
        var inputs = new List<HeaderInput>
        {
            HeaderInput.Inline("#define A_ONE 1\nstruct a_s { int x; };\n#define A_IOCTL _IO(0x3b, 1)\n", "/h/a.h", "A"),
            HeaderInput.Inline("#define B_ONE 1\nstruct b_s { int y; };\n", "/h/b.h", "B"),
        };
        var compilation = GeneratorHarness.CreateCompilation("GeneratedTest", "class Unrelated { }");
        var driver = GeneratorHarness.CreateDriver(new UapiGenerator(), inputs, null, out var texts).RunGenerators(compilation);
        return (driver, compilation, texts);
    }

    [Test]
    public void UnrelatedCSharpEditLeavesEveryStepCachedOrUnchanged()
    {
        var (driver, compilation, _) = Start();
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Another { }", GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        foreach (var step in AllSteps)
        {
            Assert.That(result.TrackedSteps.ContainsKey(step), Is.True, step + " was not tracked");
            foreach (var run in result.TrackedSteps[step])
            foreach (var output in run.Outputs)
                Assert.That(output.Reason, Is.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), step);
        }
        foreach (var output in result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs))
            Assert.That(output.Reason, Is.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void EditingOneHeaderRegeneratesOnlyThatHeader()
    {
        var (driver, compilation, texts) = Start();
        var b = texts[1];
        var after = new InMemoryAdditionalText(b.Path, b.GetText()!.ToString() + "#define B_TWO 2\n");
        driver = driver.ReplaceAdditionalText(b, after).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();

        var models = result.TrackedSteps[StepNames.Model].SelectMany(r => r.Outputs)
            .Select(o => (Model: (HeaderModel?)o.Value, o.Reason)).ToList();
        Assert.That(models.Single(m => m.Model!.ClassName == "A").Reason, Is.AnyOf(IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached));
        Assert.That(models.Single(m => m.Model!.ClassName == "B").Reason, Is.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(result.GeneratedSources.Single(s => s.HintName.EndsWith(".B.g.cs", StringComparison.Ordinal)).SourceText.ToString(), Does.Contain("B_TWO"));
        Assert.That(result.GeneratedSources, Has.Length.EqualTo(2));
    }

    [Test]
    public void CompilingTwiceGivesEqualModels()
    {
        var input = HeaderInput.Inline(File.ReadAllText(Path.Combine(RepoPaths.DataDirectory, "golden", "constructs.h")));
        var first = ModelRunner.Compile(input);
        var second = ModelRunner.Compile(input with { Text = new string(input.Text!.ToCharArray()) });
        Assert.That(second, Is.EqualTo(first));
        Assert.That(second.GetHashCode(), Is.EqualTo(first.GetHashCode()));
    }

}
