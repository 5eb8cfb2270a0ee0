using System.Text.Json.Nodes;
using IommuFd.Conformance.Diff;

namespace IommuFd.Conformance.Tests.Library;

public sealed class TraceDiffTests
{
    private const string Text = """
        {"op":"alloc","buf":"a","length":8192}
        {"op":"ioctl","cmd":"FAKE_CMD","arg":{"id":1,"user_va":"@a+4096"}}
        {"op":"ioctl","cmd":"FAKE_CMD","arg":{"id":0}}
        """;

    [Test]
    public void SameBehaviourOnDifferentBuffersDoesNotDiverge()
    {
        // Each replay maps its own buffer, at a different address; the addresses compare symbolically.
        Trace trace = Trace.Parse("t", Text);
        var a = TraceReplayer.Replay(new FakeBackend("a"), trace, FakeBackend.Catalog);
        var b = TraceReplayer.Replay(new FakeBackend("b"), trace, FakeBackend.Catalog);
        Assert.That(TraceDiff.Compare(a, b), Is.Null);
    }

    [Test]
    public void FindsTheFirstDivergingStepAndEveryDifferingField()
    {
        Trace trace = Trace.Parse("t", Text);
        var a = TraceReplayer.Replay(new FakeBackend("a"), trace, FakeBackend.Catalog);
        var b = TraceReplayer.Replay(new FakeBackend("b", iovaBase: 0x8000), trace, FakeBackend.Catalog);
        Divergence? d = TraceDiff.Compare(a, b);
        Assert.That(d, Is.Not.Null);
        Assert.That(d!.Step, Is.EqualTo(1));
        Assert.That(d.Differences, Is.EqualTo(new[] { new FieldDifference("arg.out_iova", "4096", "32768") }));
    }

    [Test]
    public void ComparesRcErrnoTailsHexAndMissingSteps()
    {
        var a = new[] { new StepResult { Step = 0, Rc = -1, Errno = 22, Tail = "00" }, new StepResult { Step = 1, Hex = "ab" } };
        var b = new[] { new StepResult { Step = 0, Rc = -1, Errno = 7, Tail = "ff" } };
        Divergence? first = TraceDiff.Compare(a, b);
        Assert.That(first!.Differences.Select(f => f.Path), Is.EqualTo(new[] { "errno", "tail" }));
        Divergence? missing = TraceDiff.Compare(a.Skip(0).Take(1).ToList(), a);
        Assert.That(missing!.Step, Is.EqualTo(1));
        Assert.That(missing.A, Is.Null);
    }

    [Test]
    public void StepResultsRoundTripThroughJson()
    {
        var result = new StepResult
        {
            Step = 3, Rc = -1, Errno = 90,
            Arg = new JsonObject { ["num_iovas"] = 2, ["allowed_iovas"] = "@r+0", ["big"] = ulong.MaxValue },
            Tail = "00",
        };
        StepResult again = StepResult.Parse(result.ToJson());
        Assert.That(again.ToJson(), Is.EqualTo(result.ToJson()));
        Assert.That(TraceDiff.CompareStep(result, again), Is.Empty);
        Assert.That(StepResult.ParseLines(StepResult.ToJsonLines([result, result])), Has.Count.EqualTo(2));
        Assert.Throws<TraceFormatException>(() => StepResult.Parse("{\"rc\":0}"));
    }

    [Test]
    public void ReportShowsTraceStepCallAndBothResultsFieldByField()
    {
        Trace trace = Trace.Parse("my-trace", Text);
        var a = TraceReplayer.Replay(new FakeBackend("a"), trace, FakeBackend.Catalog);
        var b = TraceReplayer.Replay(new FakeBackend("b", iovaBase: 0x8000), trace, FakeBackend.Catalog);
        var report = new DivergenceReport();
        report.Add(DivergenceEntry.Create(trace, "kernel", "engine", TraceDiff.Compare(a, b)!));

        string text = report.ToText();
        Assert.That(text, Does.Contain("trace 'my-trace', step 1 (line 2)"));
        Assert.That(text, Does.Contain("call: {\"op\":\"ioctl\",\"cmd\":\"FAKE_CMD\""));
        Assert.That(text, Does.Match(@"\* arg\.out_iova\s+4096\s+32768"));
        Assert.That(text, Does.Match(@"\n    arg\.user_va\s+""@a\+4096""\s+""@a\+4096"""));

        JsonNode json = JsonNode.Parse(report.ToJson())!;
        JsonNode entry = json["divergences"]![0]!;
        Assert.That(entry["step"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(entry["differences"]![0]!["path"]!.GetValue<string>(), Is.EqualTo("arg.out_iova"));
        Assert.That(entry["results"]!["engine"]!["arg"]!["out_iova"]!.GetValue<ulong>(), Is.EqualTo(32768UL));
        Assert.That(entry["call"]!["cmd"]!.GetValue<string>(), Is.EqualTo("FAKE_CMD"));
    }
}
