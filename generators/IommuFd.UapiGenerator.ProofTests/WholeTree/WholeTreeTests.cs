using System.Diagnostics;
using IommuFd.UapiGenerator.Testing;
using IommuFd.UapiGenerator.ProofTests.Proof;
using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator.ProofTests.WholeTree;

/// <summary>Every header `make headers_install` installs, for x86_64 and arm64 from 6.12 and 7.3,
/// generated in one run as a consumer would add them (a namespace per folder; a type of an
/// included header is written with its namespace): the generator must not fail, and the
/// generated code must compile with every warning an error. What it skips, it says (counts in
/// docs/generator-proof.md).</summary>
[Category("WholeTree")]
public sealed class WholeTreeTests
{
    private static IEnumerable<TestCaseData> Trees()
    {
        foreach (string series in new[] { "6.12", "7.3" })
        {
            yield return new TestCaseData(new InstalledTree(series, "x86", "x86_64")).SetArgDisplayNames(series, "x86_64");
            yield return new TestCaseData(new InstalledTree(series, "arm64", "aarch64")).SetArgDisplayNames(series, "aarch64");
        }
    }

    [TestCaseSource(nameof(Trees))]
    public void Whole_tree_generates_and_compiles(InstalledTree tree)
    {
        string root = tree.Install();
        IReadOnlyList<string> headers = InstalledTree.Headers(root);
        HeaderInput[] inputs = [.. headers.Select(h =>
        {
            string path = Path.Combine(root, "include", h);
            return new HeaderInput(path, File.ReadAllText(path), InstalledTree.Namespace(h), InstalledTree.ClassName(h));
        })];

        var clock = Stopwatch.StartNew();
        GenerationOutcome outcome = GeneratorHarness.Generate(GeneratorUnderTest.Create(), inputs, tree.Profile);
        TimeSpan generation = clock.Elapsed;
        var diagnostics = outcome.GeneratorDiagnostics.ToList();
        var errors = outcome.CompileErrors.ToList();

        TestContext.Progress.WriteLine($"[{tree}] {headers.Count} headers generated in {generation.TotalMilliseconds:0} ms, " +
            $"{outcome.RunResult.GeneratedTrees.Length} files");
        foreach (var group in diagnostics.GroupBy(d => d.Id).OrderBy(g => g.Key))
            TestContext.Progress.WriteLine($"[{tree}]   {group.Key} ({group.First().Severity}): {group.Count()}");
        foreach (var group in errors.GroupBy(d => d.Id).OrderBy(g => g.Key))
            TestContext.Progress.WriteLine($"[{tree}]   compile {group.Key}: {group.Count()}, e.g. {group.First()}");

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Exceptions, Is.Empty, "the generator threw");
            Assert.That(diagnostics.Where(d => d.Id == GeneratorUnderTest.InternalErrorId).Select(d => d.ToString()), Is.Empty);
            Assert.That(errors.Select(d => d.ToString()).Take(40), Is.Empty, "the generated code does not compile");
        });
    }
}
