using IommuFd.UapiGenerator.Testing;
using IommuFd.UapiGenerator.Tests.Infrastructure;

namespace IommuFd.UapiGenerator.Tests;

/// <summary>The emitted C# for representative constructs, compared with the file kept in
/// Golden/. Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.</summary>
public class GoldenTests
{
    [TestCase("constructs.h", null, "constructs.x86_64.g.cs")]
    [TestCase("constructs.h", "ppc64le", "constructs.ppc64le.g.cs")]
    public void EmittedCodeMatchesGolden(string header, string? profile, string golden)
    {
        var input = HeaderInput.Inline(File.ReadAllText(Path.Combine(RepoPaths.DataDirectory, "golden", header)), "/golden/" + header, "Demo");
        var (result, output) = GeneratorHarness.Generate(new UapiGenerator(), [input], profile);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(GeneratorHarness.CompileErrors(output), Is.Empty);
        string actual = result.GeneratedSources.Single().SourceText.ToString();
        string path = Path.Combine(RepoPaths.GoldenDirectory, golden);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            Assert.Pass("golden file rewritten: " + path);
        }
        Assert.That(File.Exists(path), Is.True, $"{path} is missing; run the tests with UPDATE_GOLDEN=1 to create it");
        Assert.That(actual, Is.EqualTo(File.ReadAllText(path)), "generated code differs from " + golden + " (UPDATE_GOLDEN=1 rewrites it)");
    }
}
