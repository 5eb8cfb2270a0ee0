using System.Diagnostics;
using IommuFd.UapiGenerator.Testing;
using IommuFd.UapiGenerator.ProofTests.Proof;
using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator.ProofTests.Fuzz;

/// <summary>Thousands of broken variants of the real headers: the generator may report any
/// normal diagnostic, but must never throw (the driver's CS8784/CS8785) nor fall back to its
/// internal-error diagnostic. Seeded: a failure names the seed, case and mutations to replay.</summary>
public sealed class GeneratorFuzzTests
{
    private const int Seed = 612;
    private const int CasesPerHeader = 1000;

    private static IEnumerable<TestCaseData> Headers() =>
        UapiHeaders.Bindings.Select((h, i) => new TestCaseData(h, Seed + i).SetArgDisplayNames(h.ToString()));

    [TestCaseSource(nameof(Headers))]
    public void Mutated_headers_never_crash_the_generator(UapiHeader header, int seed)
    {
        var mutator = new HeaderMutator(header.ReadText(), seed);
        var failures = new List<string>();
        int withDiagnostics = 0, withSource = 0, cases = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < CasesPerHeader; i++)
        {
            cases++;
            string text = mutator.Next();
            GenerationOutcome outcome;
            try
            {
                outcome = GeneratorHarness.Generate(GeneratorUnderTest.Create(), [header.Input(text)], "x86_64");
            }
            catch (Exception e)
            {
                failures.Add($"case {i} ({mutator.LastDescription}): the driver threw {e.GetType().Name}: {e.Message}");
                continue;
            }
            var crashes = outcome.Exceptions.Select(e => $"{e.GetType().Name}: {e.Message}")
                .Concat(outcome.GeneratorDiagnostics.Concat(outcome.DriverDiagnostics)
                    .Where(d => d.Id == GeneratorUnderTest.InternalErrorId || GeneratorUnderTest.DriverCrashIds.Contains(d.Id))
                    .Select(d => d.ToString()))
                .Select(text => text.Split('\n')[0])
                .ToList();
            if (crashes.Count > 0)
                failures.Add($"case {i} ({mutator.LastDescription}): {string.Join(" | ", crashes.Take(3))}");
            if (outcome.GeneratorDiagnostics.Any()) withDiagnostics++;
            if (outcome.RunResult.GeneratedTrees.Length > 0) withSource++;
        }
        TestContext.Progress.WriteLine($"fuzz {header} (seed {seed}): {cases} mutated headers in {clock.Elapsed.TotalSeconds:0.0} s, " +
            $"{withDiagnostics} with diagnostics, {withSource} with generated source, {failures.Count} crashes");
        Assert.That(failures, Is.Empty,
            $"{failures.Count} of {cases} cases crashed the generator (replay with HeaderMutator(text, {seed})); first ones:\n{string.Join('\n', failures.Take(5))}");
    }
}
