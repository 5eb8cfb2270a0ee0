using System.Text.Json;
using System.Text.Json.Nodes;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Tests.Support;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>kcidb.json against the KCIDB v5.3 schema (Support/KcidbSchema.cs), and what it says: the
/// engine's results are left out, each kernel tested is a build of the source it came from, a case
/// that never ran is MISS and never FAIL, a repro file is an output file of its case.</summary>
public sealed class KcidbOutputTests
{
    private static readonly KernelIdentity DebianHost = new("6.1.0-18-amd64", new string('b', 64), "host kernel")
    {
        SourcePackage = "linux",
        SourceVersion = "6.1.76-1",
        Banner = "Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
    };

    private static JsonElement Render(IReadOnlyList<TestGroup>? groups = null, KernelIdentity? host = null)
    {
        using var temp = new TempDirectory();
        RunEnvironment environment = Samples.Environment() with { HostKernel = host ?? Samples.Environment().HostKernel };
        Samples.Execute(groups ?? Samples.EveryStatus(), temp.Path, environment: environment);
        string json = File.ReadAllText(temp.Combine("kcidb.json"));
        Assert.That(FormatSchemas.KcidbProblems(json), Is.Empty, "valid against the KCIDB v5.3 schema");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    private static List<JsonElement> Tests(JsonElement root) => [.. root.GetProperty("tests").EnumerateArray()];

    [Test]
    public void VersionIsFiveThree()
    {
        JsonElement root = Render();
        Assert.That(root.GetProperty("version").GetProperty("major").GetInt32(), Is.EqualTo(5));
        Assert.That(root.GetProperty("version").GetProperty("minor").GetInt32(), Is.EqualTo(3));
        Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "version", "checkouts", "builds", "tests" }));
    }

    [Test]
    public void EngineResultsAreLeftOutAndTheRestAreCreditedToTheHostKernel()
    {
        JsonElement root = Render();

        Assert.That(Tests(root).Select(t => t.GetProperty("path").GetString()), Is.EqualTo(new[]
        {
            "diff_engine_kernel.iommufd.diff.map_unmap", "diff_engine_kernel.iommufd.random.seed_1", "diff_engine_kernel.iommufd.random.seed_2",
            "kernel.iommufd.trace.map_unmap",
        }), "the engine group tests no kernel");
        JsonElement build = root.GetProperty("builds").EnumerateArray().Single();
        Assert.That(build.GetProperty("misc").GetProperty("kernel_release").GetString(), Is.EqualTo("6.12.117"));
        Assert.That(build.GetProperty("misc").GetProperty("config_sha256").GetString(), Is.EqualTo(new string('a', 64)));
        Assert.That(Tests(root).Select(t => t.GetProperty("build_id").GetString()), Is.All.EqualTo(build.GetProperty("id").GetString()));
        Assert.That(build.GetProperty("checkout_id").GetString(), Is.EqualTo(root.GetProperty("checkouts").EnumerateArray().Single().GetProperty("id").GetString()));
    }

    [Test]
    public void AnEngineOnlyRunHasNoKernelToReport()
    {
        JsonElement root = Render([Samples.EveryStatus()[0]]);
        Assert.That(root.GetProperty("checkouts").GetArrayLength() + root.GetProperty("builds").GetArrayLength() + root.GetProperty("tests").GetArrayLength(), Is.Zero);
    }

    [Test]
    public void ADebianKernelIsTreeDebianAtItsPackageVersion()
    {
        JsonElement root = Render(host: DebianHost);

        JsonElement checkout = root.GetProperty("checkouts").EnumerateArray().Single();
        Assert.That(checkout.GetProperty("tree_name").GetString(), Is.EqualTo("debian"));
        Assert.That(checkout.GetProperty("git_commit_name").GetString(), Is.EqualTo("6.1.76-1"));
        Assert.That(checkout.GetProperty("misc").GetProperty("source_package").GetString(), Is.EqualTo("linux"));
        JsonElement build = root.GetProperty("builds").EnumerateArray().Single();
        Assert.That(build.GetProperty("misc").GetProperty("kernel_release").GetString(), Is.EqualTo("6.1.0-18-amd64"));
        Assert.That(build.GetProperty("misc").GetProperty("proc_version").GetString(), Does.EndWith("Debian 6.1.76-1 (2024-02-01)"));
        Assert.That(build.GetProperty("comment").GetString(), Does.StartWith("Linux 6.1.0-18-amd64 (host kernel); kernel 6.1.0-18-amd64 is older than the oldest engine model"));
    }

    [Test]
    public void AKernelOfUnknownSourceHasNoTreeOrCommitName()
    {
        JsonElement checkout = Render().GetProperty("checkouts").EnumerateArray().Single();
        Assert.That(checkout.TryGetProperty("tree_name", out _), Is.False, "omitted: not known, never guessed");
        Assert.That(checkout.TryGetProperty("git_commit_name", out _), Is.False);
        Assert.That(checkout.GetProperty("comment").GetString(), Does.Contain("6.12.117"));
    }

    [Test]
    public void EachKernelIsItsOwnBuildOfItsOwnCheckout()
    {
        var testKernel = new KernelIdentity("6.12.118", "cafe", "test kernel (VM, intel IOMMU)") { SourcePackage = "linux-source-6.12", SourceVersion = "6.12.118-1~deb12u1" };
        var amd = testKernel with { Description = "test kernel (VM, amd IOMMU)" };
        JsonElement root = Render(
        [
            new StaticTestGroup("kernel", "host", [new RunnerTestCase("iommufd.trace.a", _ => CaseOutcome.Passed())]),
            new StaticTestGroup("vm_intel", "intel", [new RunnerTestCase("kernel.iommufd.trace.a", _ => CaseOutcome.Passed())]) { Kernel = testKernel },
            new StaticTestGroup("vm_amd", "amd", [new RunnerTestCase("kernel.iommufd.trace.a", _ => CaseOutcome.Passed())]) { Kernel = amd },
        ], host: DebianHost);

        var checkouts = root.GetProperty("checkouts").EnumerateArray().ToList();
        var builds = root.GetProperty("builds").EnumerateArray().ToList();
        Assert.That(checkouts.Select(c => c.GetProperty("git_commit_name").GetString()), Is.EqualTo(new[] { "6.1.76-1", "6.12.118-1~deb12u1" }));
        Assert.That(builds, Has.Count.EqualTo(2), "one test kernel booted under two IOMMU models is one build");
        Assert.That(builds[1].GetProperty("checkout_id").GetString(), Is.EqualTo(checkouts[1].GetProperty("id").GetString()));
        Assert.That(Tests(root).Select(t => t.GetProperty("build_id").GetString()),
            Is.EqualTo(new[] { builds[0].GetProperty("id").GetString(), builds[1].GetProperty("id").GetString(), builds[1].GetProperty("id").GetString() }));
        Assert.That(Tests(root)[2].GetProperty("environment").GetProperty("comment").GetString(), Does.EndWith(": amd"), "the VM model is the environment");
    }

    [Test]
    public void AKernelThatWasNotThereIsAMissedBuildWithMissedTests()
    {
        JsonElement root = Render(
        [
            new StaticTestGroup("vm_intel", "test kernel under QEMU (no test kernel)",
                [new RunnerTestCase("runner.vm.session", _ => new CaseOutcome(TestStatus.NotRun, "not run: no test kernel"))])
            {
                Kernel = KernelIdentity.Unavailable("test kernel (VM, intel IOMMU)"),
            },
        ]);

        Assert.That(root.GetProperty("builds").EnumerateArray().Single().GetProperty("status").GetString(), Is.EqualTo("MISS"));
        Assert.That(Tests(root).Single().GetProperty("status").GetString(), Is.EqualTo("MISS"));
    }

    [TestCase(TestStatus.Pass, "PASS")]
    [TestCase(TestStatus.XFail, "PASS")]
    [TestCase(TestStatus.Fail, "FAIL")]
    [TestCase(TestStatus.XPass, "FAIL")]
    [TestCase(TestStatus.Skip, "SKIP")]
    [TestCase(TestStatus.Error, "ERROR")]
    [TestCase(TestStatus.Timeout, "ERROR")]
    [TestCase(TestStatus.NotRun, "MISS")]
    public void EveryStatusHasItsKcidbMeaning(TestStatus status, string kcidb) =>
        Assert.That(KcidbWriter.StatusOf(status), Is.EqualTo(kcidb));

    [Test]
    public void StatusesAndReasonsReachTheTests()
    {
        var byPath = Tests(Render()).ToDictionary(t => t.GetProperty("path").GetString()!);
        Assert.That(byPath["diff_engine_kernel.iommufd.diff.map_unmap"].GetProperty("status").GetString(), Is.EqualTo("FAIL"));
        Assert.That(byPath["diff_engine_kernel.iommufd.random.seed_1"].GetProperty("status").GetString(), Is.EqualTo("ERROR"));
        Assert.That(byPath["kernel.iommufd.trace.map_unmap"].GetProperty("status").GetString(), Is.EqualTo("SKIP"));
        Assert.That(byPath["kernel.iommufd.trace.map_unmap"].GetProperty("comment").GetString(), Is.EqualTo("no /dev/iommu"), "a skip says why");
    }

    [Test]
    public void LongLogIsCutToTheLimit()
    {
        JsonElement diverged = Tests(Render()).Single(t => t.GetProperty("path").GetString() == "diff_engine_kernel.iommufd.diff.map_unmap");
        string excerpt = diverged.GetProperty("log_excerpt").GetString()!;
        Assert.That(excerpt.Length, Is.LessThanOrEqualTo(16384).And.GreaterThan(16000));
        Assert.That(excerpt, Does.Contain("first divergence at step 3"));
    }

    [Test]
    public void AReproFileIsAnOutputFileOfItsCase()
    {
        using var temp = new TempDirectory();
        var divergence = new Divergence(1, "IOMMU_IOAS_MAP", "engine", "0", "kernel", "-22");
        Samples.Execute([new StaticTestGroup("diff_engine_kernel", "diff",
            [new RunnerTestCase("iommufd.random.seed_7", _ => CaseOutcome.Diverged(divergence) with { Repro = FakeSuite.ReproOf(7) })])], temp.Path);

        JsonElement file = JsonDocument.Parse(File.ReadAllText(temp.Combine("kcidb.json"))).RootElement
            .GetProperty("tests")[0].GetProperty("output_files").EnumerateArray().Single();
        Assert.That(file.GetProperty("name").GetString(), Is.EqualTo("diff_engine_kernel.iommufd.random.seed_7.jsonl"));
        Assert.That(new Uri(file.GetProperty("url").GetString()!).LocalPath, Is.EqualTo(temp.Combine("repro", "diff_engine_kernel.iommufd.random.seed_7.jsonl")));
        Assert.That(File.ReadAllText(temp.Combine("repro", "diff_engine_kernel.iommufd.random.seed_7.jsonl")), Is.EqualTo(FakeSuite.ReproOf(7)));
    }

    [Test]
    public void ReproLinksFollowThePublishedUrl()
    {
        var writer = new KcidbWriter(new Uri("https://ci.example/job/42/artifacts/"));
        var result = new TestCaseResult("diff_engine_kernel", "iommufd.random.seed_7", TestStatus.Fail, "diverged", "", null, DateTimeOffset.UnixEpoch, TimeSpan.Zero) { Repro = "{}\n" };
        var run = new RunSnapshot(Samples.Environment(), RunState.Complete, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
            [new GroupSnapshot("diff_engine_kernel", "diff", null, 1, [result], null)]);

        string json = writer.Render(run);

        Assert.That(FormatSchemas.KcidbProblems(json), Is.Empty);
        Assert.That(json, Does.Contain("\"url\": \"https://ci.example/job/42/artifacts/repro/diff_engine_kernel.iommufd.random.seed_7.jsonl\""));
    }

    /// <summary>The schema check itself: a document KCIDB would refuse is refused here too.</summary>
    [TestCase("tests", "status", "BROKEN")]
    [TestCase("tests", "build_id", null)]
    [TestCase("tests", "kernel", "6.12")]
    [TestCase("tests", "path", "a..b")]
    [TestCase("tests", "origin", "Bad-Origin")]
    [TestCase("tests", "start_time", "yesterday")]
    [TestCase("tests", "output_files", "[{\"name\":\"a/b\",\"url\":\"https://x/a\"}]")]
    [TestCase("tests", "output_files", "[{\"name\":\"a\",\"url\":\"not a url\"}]")]
    [TestCase("builds", "architecture", "x86-64")]
    [TestCase("checkouts", "tree_name", "nul\0inside")]
    [TestCase("checkouts", "git_commit_hash", "abc")]
    public void TheSchemaRefusesWhatKcidbRefuses(string list, string property, string? value)
    {
        JsonNode document = JsonNode.Parse(JsonSerializer.Serialize(Render(host: DebianHost)))!;
        JsonObject target = document[list]![0]!.AsObject();
        if (value is null) target.Remove(property);
        else target[property] = value.StartsWith('[') ? JsonNode.Parse(value) : value;

        Assert.That(FormatSchemas.KcidbProblems(document.ToJsonString()), Is.Not.Empty);
    }

    [TestCase("engine.iommufd.trace.map unmap+v2", "engine.iommufd.trace.map_unmap_v2")]
    [TestCase("a..b", "a._.b")]
    public void PathsAreReducedToAllowedCharacters(string raw, string expected) =>
        Assert.That(KcidbWriter.PathOf(raw), Is.EqualTo(expected));
}
