using System.Text.Json;
using System.Text.RegularExpressions;
using IommuFd.HardwareRunner.Tests.Support;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>kcidb.json against the KCIDB v5 schema's rules: patterns of ids, origins and paths,
/// the status enum, the log_excerpt limit, references between objects, and no properties the
/// schema does not allow (it sets additionalProperties false).</summary>
public sealed partial class KcidbOutputTests
{
    private static readonly string[] TestProperties = ["build_id", "id", "origin", "environment", "path", "comment", "log_url", "log_excerpt", "status", "number", "start_time", "duration", "output_files", "misc", "input_files"];
    private static readonly string[] BuildProperties = ["checkout_id", "id", "origin", "comment", "start_time", "duration", "architecture", "command", "compiler", "input_files", "output_files", "config_name", "config_url", "log_url", "log_excerpt", "status", "misc"];
    private static readonly string[] CheckoutProperties = ["id", "origin", "tree_name", "git_repository_url", "git_commit_hash", "git_commit_name", "git_repository_branch", "patchset_files", "patchset_hash", "message_id", "comment", "start_time", "log_url", "log_excerpt", "valid", "misc"];
    private static readonly string[] Statuses = ["FAIL", "ERROR", "MISS", "PASS", "DONE", "SKIP"];

    private static JsonElement Render()
    {
        using var temp = new TempDirectory();
        Samples.Execute(Samples.EveryStatus(), temp.Path);
        return JsonDocument.Parse(File.ReadAllText(temp.Combine("kcidb.json"))).RootElement.Clone();
    }

    [Test]
    public void VersionIsFive()
    {
        JsonElement root = Render();
        Assert.That(root.GetProperty("version").GetProperty("major").GetInt32(), Is.EqualTo(5));
        Assert.That(root.GetProperty("version").GetProperty("minor").GetInt32(), Is.InRange(0, 3));
        Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "version", "checkouts", "builds", "tests" }));
    }

    [Test]
    public void EveryTestMatchesTheSchemaPatterns()
    {
        JsonElement root = Render();
        var tests = root.GetProperty("tests").EnumerateArray().ToList();
        Assert.That(tests, Has.Count.EqualTo(8));
        foreach (JsonElement test in tests)
        {
            Assert.That(test.GetProperty("id").GetString(), Does.Match(OriginId().ToString()));
            Assert.That(test.GetProperty("origin").GetString(), Does.Match(Origin().ToString()));
            Assert.That(test.GetProperty("path").GetString(), Does.Match(TestPath().ToString()));
            Assert.That(Statuses, Does.Contain(test.GetProperty("status").GetString()));
            Assert.That(test.GetProperty("log_excerpt").GetString()!.Length, Is.LessThanOrEqualTo(16384));
            Assert.That(test.GetProperty("duration").GetDouble(), Is.GreaterThanOrEqualTo(0));
            Assert.That(DateTimeOffset.TryParse(test.GetProperty("start_time").GetString(), out _), Is.True);
            Assert.That(test.EnumerateObject().Select(p => p.Name), Is.SubsetOf(TestProperties));
            Assert.That(test.GetProperty("environment").EnumerateObject().Select(p => p.Name), Is.SubsetOf(new[] { "comment", "misc", "compatible" }));
        }
        Assert.That(tests.Select(t => t.GetProperty("id").GetString()), Is.Unique);
    }

    [Test]
    public void StatusesMapTimeoutsToErrorAndSkipsToSkip()
    {
        var byPath = Render().GetProperty("tests").EnumerateArray().ToDictionary(t => t.GetProperty("path").GetString()!, t => t.GetProperty("status").GetString());
        Assert.That(byPath["engine.iommufd.trace.map_unmap"], Is.EqualTo("PASS"));
        Assert.That(byPath["engine.iommufd.trace.needs_mock"], Is.EqualTo("SKIP"));
        Assert.That(byPath["engine.iommufd.trace.broken"], Is.EqualTo("ERROR"));
        Assert.That(byPath["diff_engine_kernel.iommufd.diff.map_unmap"], Is.EqualTo("FAIL"));
        Assert.That(byPath["diff_engine_kernel.iommufd.random.seed_1"], Is.EqualTo("ERROR"));
        Assert.That(byPath["kernel.iommufd.trace.map_unmap"], Is.EqualTo("SKIP"));
    }

    [Test]
    public void LongLogIsCutToTheLimit()
    {
        JsonElement diverged = Render().GetProperty("tests").EnumerateArray().Single(t => t.GetProperty("path").GetString() == "diff_engine_kernel.iommufd.diff.map_unmap");
        string excerpt = diverged.GetProperty("log_excerpt").GetString()!;
        Assert.That(excerpt.Length, Is.LessThanOrEqualTo(16384).And.GreaterThan(16000));
        Assert.That(excerpt, Does.Contain("first divergence at step 3"));
    }

    [Test]
    public void BuildsAndCheckoutsAreReferencedAndValid()
    {
        JsonElement root = Render();
        var checkouts = root.GetProperty("checkouts").EnumerateArray().ToList();
        var builds = root.GetProperty("builds").EnumerateArray().ToList();
        Assert.That(checkouts, Has.Count.EqualTo(1));
        Assert.That(checkouts[0].EnumerateObject().Select(p => p.Name), Is.SubsetOf(CheckoutProperties));
        Assert.That(checkouts[0].GetProperty("id").GetString(), Does.Match(OriginId().ToString()));
        foreach (JsonElement build in builds)
        {
            Assert.That(build.EnumerateObject().Select(p => p.Name), Is.SubsetOf(BuildProperties));
            Assert.That(build.GetProperty("id").GetString(), Does.Match(OriginId().ToString()));
            Assert.That(build.GetProperty("checkout_id").GetString(), Is.EqualTo(checkouts[0].GetProperty("id").GetString()));
            Assert.That(build.GetProperty("misc").GetProperty("kernel_release").GetString(), Is.EqualTo("6.12.117"));
            Assert.That(build.GetProperty("misc").GetProperty("config_sha256").GetString(), Is.EqualTo(new string('a', 64)));
        }
        var buildIds = builds.Select(b => b.GetProperty("id").GetString()).ToHashSet();
        Assert.That(root.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("build_id").GetString()), Is.All.Matches<string>(buildIds.Contains));
    }

    [TestCase("engine.iommufd.trace.map unmap+v2", "engine.iommufd.trace.map_unmap_v2")]
    [TestCase("a..b", "a._.b")]
    public void PathsAreReducedToAllowedCharacters(string raw, string expected)
    {
        Assert.That(Results.KcidbWriter.PathOf(raw), Is.EqualTo(expected));
        Assert.That(Results.KcidbWriter.PathOf(raw), Does.Match(TestPath().ToString()));
    }

    [GeneratedRegex("^[a-z0-9_]+:.*$")]
    private static partial Regex OriginId();

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex Origin();

    [GeneratedRegex(@"^(?:[a-zA-Z0-9_-]+(?:\.[a-zA-Z0-9_-]+)*)?$")]
    private static partial Regex TestPath();
}
