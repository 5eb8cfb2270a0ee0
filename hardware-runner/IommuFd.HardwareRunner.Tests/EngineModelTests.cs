using System.Text.Json;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Tests.Support;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>The engine model a kernel is diffed against, and that KTAP, report.md and KCIDB say it
/// plainly when the kernel is newer than the newest model.</summary>
public sealed class EngineModelTests
{
    private const string Newer = "kernel 7.9.1 is newer than the newest engine model (7.3.4)";

    [TestCase("6.12.118+deb12-amd64", "6.12.118")]
    [TestCase("6.12.90", "6.12.90")]
    [TestCase("7.3.4", "7.3.4")]
    [TestCase("7.3.1-amd64", "7.3.1")]
    public void AKernelOfAModelledSeriesGetsItsModelWithoutAWord(string release, string model)
    {
        EngineModel chosen = EngineModel.For(release);
        Assert.That((chosen.Model, chosen.Mismatch), Is.EqualTo((model, (string?)null)));
        Assert.That(chosen.Describe(), Is.EqualTo($"engine model {model} (kernel {release})"));
    }

    [TestCase("7.9.1", "7.3.4", "newer than the newest engine model (7.3.4)")]
    [TestCase("8.0.0", "7.3.4", "newer than the newest engine model (7.3.4)")]
    [TestCase("7.1.2", "6.12.118", "has no engine model of its series")]
    [TestCase("6.6.30", "6.12.118", "older than the oldest engine model (6.12.118)")]
    [TestCase("unknown", "6.12.118", "is not major.minor")]
    public void AnyOtherKernelIsSaidToRunAgainstAnotherModel(string release, string model, string why)
    {
        EngineModel chosen = EngineModel.For(release);
        Assert.That(chosen.Model, Is.EqualTo(model));
        Assert.That(chosen.Mismatch, Does.Contain(why).And.Contain($"{model} model"));
        Assert.That(chosen.Describe(), Is.EqualTo(chosen.Mismatch));
    }

    [Test]
    public void KtapReportAndKcidbSayTheHostIsNewerThanTheNewestModel()
    {
        using var temp = new TempDirectory();
        RunEnvironment environment = Samples.Environment() with { HostKernel = new KernelIdentity("7.9.1", new string('c', 64), "host kernel") };
        (string ktap, _, _) = Samples.Execute(Samples.EveryStatus(), temp.Path, environment: environment);

        string[] ktapLines = ktap.Split('\n');
        Assert.That(ktapLines.Count(l => l.StartsWith("  # " + Newer, StringComparison.Ordinal)), Is.EqualTo(2),
            "one diagnostic for each group that tests the kernel (diff_engine_kernel, kernel), none for the engine's");
        Assert.That(File.ReadAllText(temp.Combine("report.md")), Does.Contain("- Engine model: **7.3.4**: " + Newer));
        JsonElement build = JsonDocument.Parse(File.ReadAllText(temp.Combine("kcidb.json"))).RootElement.GetProperty("builds").EnumerateArray().Single();
        Assert.That(build.GetProperty("comment").GetString(), Does.StartWith("Linux 7.9.1 (host kernel); " + Newer));
        Assert.That(build.GetProperty("misc").GetProperty("engine_model").GetString(), Is.EqualTo("7.3.4"));
    }

    [Test]
    public void AModelledKernelIsNamedWithItsModel()
    {
        using var temp = new TempDirectory();
        (string ktap, _, _) = Samples.Execute(Samples.EveryStatus(), temp.Path);

        Assert.That(ktap, Does.Contain("  # engine model 6.12.117 (kernel 6.12.117)\n"));
        Assert.That(ktap, Does.Not.Contain("newer than"));
        Assert.That(File.ReadAllText(temp.Combine("report.md")), Does.Contain("- Engine model: 6.12.117 (kernel 6.12.117)"));
    }
}
