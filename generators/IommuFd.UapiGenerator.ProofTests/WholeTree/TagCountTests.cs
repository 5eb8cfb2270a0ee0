using System.Diagnostics;
using System.Text.RegularExpressions;
using IommuFd.UapiGenerator.ProofTests.Gcc;
using IommuFd.UapiGenerator.ProofTests.Proof;
using IommuFd.UapiGenerator.Testing;
using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator.ProofTests.WholeTree;

/// <summary>"Nothing emitted and nothing said" cannot happen: for every header of the installed
/// trees, each struct and union tag gcc defines there (<see cref="GccTags"/>) is either generated
/// (a type with <c>[CName("struct tag")]</c> in that header's file) or named by a generator
/// diagnostic at that header that says a declaration was not generated (in its message, or located
/// from the tag's line up to the next tag's). A tag that is neither fails the test with header:line.</summary>
[Category("WholeTree")]
public sealed partial class TagCountTests
{
    private static IEnumerable<TestCaseData> Trees()
    {
        foreach (string series in new[] { "6.12", "7.3" })
        {
            yield return new TestCaseData(new InstalledTree(series, "x86", "x86_64"), GccToolchain.X86_64).SetArgDisplayNames(series, "x86_64");
            yield return new TestCaseData(new InstalledTree(series, "arm64", "aarch64"), GccToolchain.Aarch64).SetArgDisplayNames(series, "aarch64");
        }
    }

    [TestCaseSource(nameof(Trees))]
    public void Every_tag_gcc_sees_is_emitted_or_diagnosed(InstalledTree tree, GccToolchain gcc)
    {
        gcc.RequireInstalled(mandatory: true);
        string root = tree.Install();
        IReadOnlyList<string> headers = InstalledTree.Headers(root);

        var clock = Stopwatch.StartNew();
        IReadOnlyDictionary<string, IReadOnlyList<GccTag>> gccTags = GccTags.Read(gcc.Executable, root, headers);
        TimeSpan gccTime = clock.Elapsed;

        HeaderInput[] inputs = [.. headers.Select(h =>
        {
            string path = Path.Combine(root, "include", h);
            return new HeaderInput(path, File.ReadAllText(path), InstalledTree.Namespace(h), InstalledTree.ClassName(h));
        })];
        GenerationOutcome outcome = GeneratorHarness.Generate(GeneratorUnderTest.Create(), inputs, tree.Profile);
        var emittedByClass = outcome.RunResult.GeneratedTrees
            .Select(t => t.ToString())
            .ToDictionary(source => ClassRegex().Match(source).Groups[1].Value,
                source => CNameRegex().Matches(source).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var diagnosticsByPath = outcome.GeneratorDiagnostics
            .Where(d => d.Location.IsInSource || d.Location.Kind == LocationKind.ExternalFile)
            .GroupBy(d => d.Location.GetLineSpan().Path, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        var silent = new List<string>();
        int total = 0, emitted = 0, diagnosed = 0;
        foreach ((string header, IReadOnlyList<GccTag> tags) in gccTags.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            string path = Path.Combine(root, "include", header);
            HashSet<string> names = emittedByClass.GetValueOrDefault(InstalledTree.ClassName(header)) ?? [];
            List<Diagnostic> said = diagnosticsByPath.GetValueOrDefault(path) ?? [];
            for (int i = 0; i < tags.Count; i++)
            {
                GccTag tag = tags[i];
                int nextLine = i + 1 < tags.Count ? tags[i + 1].Line : int.MaxValue;
                total++;
                if (names.Contains(tag.CName)) emitted++;
                else if (said.Any(d => Names(d, tag) || Within(d, tag.Line, nextLine))) diagnosed++;
                else silent.Add($"{path}:{tag.Line}: {tag.CName}");
            }
        }

        TestContext.Progress.WriteLine($"[{tree}] {headers.Count} headers, {gccTags.Count} compiled alone by {gcc.Executable} in {gccTime.TotalSeconds:0.0} s; " +
            $"{total} tags: {emitted} emitted, {diagnosed} diagnosed, {silent.Count} neither; whole test {clock.Elapsed.TotalSeconds:0.0} s");
        foreach (string line in silent)
            TestContext.Progress.WriteLine($"[{tree}]   neither: {line}");
        Assert.Multiple(() =>
        {
            Assert.That(gccTags.Count, Is.GreaterThan(headers.Count / 2), "gcc compiled too few headers alone for the count to mean anything");
            Assert.That(silent, Is.Empty, "tags gcc defines that the generator neither emitted nor diagnosed");
        });
    }

    /// <summary>The diagnostics that say a declaration was not generated (skipped, unknown type,
    /// duplicate, inexpressible, preprocessor error); the others (macros, ioctls) do not count.</summary>
    private static readonly HashSet<string> DeclarationIds = ["UAPI003", "UAPI006", "UAPI008", "UAPI011", "UAPI018"];

    private static bool Names(Diagnostic diagnostic, GccTag tag) =>
        DeclarationIds.Contains(diagnostic.Id) && Regex.IsMatch(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), $@"(?<![A-Za-z0-9_]){Regex.Escape(tag.Name)}(?![A-Za-z0-9_])");

    /// <summary>A malformed expression inside a record (an array length) skips it too; located, it counts.</summary>
    private const string MalformedExpressionId = "UAPI004";

    private static bool Within(Diagnostic diagnostic, int firstLine, int nextTagLine)
    {
        if (!DeclarationIds.Contains(diagnostic.Id) && diagnostic.Id != MalformedExpressionId) return false;
        int line = diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1;
        return line >= firstLine && line < nextTagLine;
    }

    [GeneratedRegex(@"static partial class (\w+)")]
    private static partial Regex ClassRegex();

    [GeneratedRegex(@"^\s*\[CName\(""((?:struct|union) [A-Za-z_][A-Za-z0-9_]*)""\)\]", RegexOptions.Multiline)]
    private static partial Regex CNameRegex();
}
