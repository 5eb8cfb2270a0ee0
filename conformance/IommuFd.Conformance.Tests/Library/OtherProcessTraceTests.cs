using IommuFd.Conformance.Random;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>The trace steps of another process (spawn, exit, "proc" on alloc and ioctl): parsing,
/// writing back, dependencies for the shrinker, and the replay's errors for misuse.</summary>
public sealed class OtherProcessTraceTests
{
    private const string Steps = """
        {"op":"spawn","proc":"p"}
        {"op":"alloc","buf":"c","length":4096,"proc":"p"}
        {"op":"write","buf":"c","offset":8,"hex":"a1b2"}
        {"op":"read","buf":"c","offset":6,"length":6}
        {"op":"ioctl","cmd":"FAKE_CMD","arg":{"id":1,"user_va":"@c+8"},"proc":"p"}
        {"op":"exit","proc":"p"}
        """;

    [Test]
    public void ParsesAndWritesBackTheSame()
    {
        Trace trace = Trace.Parse("t", Steps);
        Assert.That(trace.Steps[0], Is.EqualTo(new SpawnStep("p") { Line = 1 }));
        Assert.That(((AllocStep)trace.Steps[1]).Process, Is.EqualTo("p"));
        Assert.That(((IoctlStep)trace.Steps[4]).Process, Is.EqualTo("p"));
        Assert.That(trace.Steps[5], Is.EqualTo(new ExitStep("p") { Line = 6 }));
        Assert.That(Trace.Parse("again", trace.ToJsonLines()).ToJsonLines(), Is.EqualTo(trace.ToJsonLines()));
    }

    [Test]
    public void RejectsAMissingOrEmptyProcessAndUnknownKeys()
    {
        Assert.Throws<TraceFormatException>(() => Trace.Parse("t", "{\"op\":\"spawn\"}\n"));
        Assert.Throws<TraceFormatException>(() => Trace.Parse("t", "{\"op\":\"exit\",\"proc\":\"\"}\n"));
        Assert.Throws<TraceFormatException>(() => Trace.Parse("t", "{\"op\":\"write\",\"buf\":\"c\",\"offset\":0,\"hex\":\"00\",\"proc\":\"p\"}\n"));
    }

    [Test]
    public void StepsOfAProcessDependOnItsSpawn()
    {
        var deps = TraceEditor.Dependencies(Trace.Parse("t", Steps));
        Assert.Multiple(() =>
        {
            Assert.That(deps[1], Is.EquivalentTo(new[] { 0 }));
            Assert.That(deps[4], Is.SupersetOf(new[] { 0, 1 }));
            Assert.That(deps[5], Is.EquivalentTo(new[] { 0 }));
        });
    }

    [Test]
    public void BuffersOfAProcessAreItsMemory()
    {
        var results = TraceReplayer.Replay(new FakeBackend(), Trace.Parse("t", """
            {"op":"spawn","proc":"p"}
            {"op":"alloc","buf":"c","length":4096,"proc":"p"}
            {"op":"write","buf":"c","offset":8,"hex":"a1b2"}
            {"op":"read","label":"read","buf":"c","offset":6,"length":6}
            {"op":"exit","label":"exit","proc":"p"}
            """), FakeBackend.Catalog);
        Assert.That(results["read"].Hex, Is.EqualTo("0000a1b20000"));
        StepAssert.Succeeds(results["exit"]);
    }

    [TestCase("{\"op\":\"ioctl\",\"cmd\":\"FAKE_CMD\",\"proc\":\"q\"}", "no process 'q'")]
    [TestCase("{\"op\":\"spawn\",\"proc\":\"p\"}\n{\"op\":\"spawn\",\"proc\":\"p\"}", "already spawned")]
    [TestCase("{\"op\":\"spawn\",\"proc\":\"p\"}\n{\"op\":\"alloc\",\"buf\":\"c\",\"length\":16,\"proc\":\"p\"}\n{\"op\":\"exit\",\"proc\":\"p\"}\n{\"op\":\"read\",\"buf\":\"c\",\"offset\":0,\"length\":1}", "has exited")]
    [TestCase("{\"op\":\"spawn\",\"proc\":\"p\"}\n{\"op\":\"ioctl\",\"cmd\":\"FAKE_CMD\",\"proc\":\"p\"}", "cannot take ioctls")]
    public void MisuseIsAFormatError(string text, string message)
    {
        var e = Assert.Catch(() => TraceReplayer.Replay(new FakeBackend(), Trace.Parse("t", text), FakeBackend.Catalog));
        Assert.That(e!.ToString(), Does.Contain(message));
    }
}
