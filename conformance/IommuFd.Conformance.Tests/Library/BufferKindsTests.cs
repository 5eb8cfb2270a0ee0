using IommuFd.Conformance.Random;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>The buffer kinds beyond anonymous memory: an alloc step with "file" (a private mapping of a
/// file's first bytes) and the protect step, in the parser, the replay and the trace editor.</summary>
public sealed class BufferKindsTests
{
    private string _file = "";

    [SetUp]
    public void WriteFile()
    {
        _file = Path.Combine(Path.GetTempPath(), $"buffer-kinds-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(_file, Enumerable.Range(0, 8192).Select(FileByte).ToArray());
    }

    private static byte FileByte(int offset) => (byte)(offset * 7 % 256);

    [TearDown]
    public void DeleteFile() => File.Delete(_file);

    private static ReplayResults Replay(string text) =>
        TraceReplayer.Replay(new FakeBackend(), Trace.Parse("t", text), FakeBackend.Catalog);

    [Test]
    public void ParsesAndWritesBackFileAllocationsAndProtections()
    {
        string text = $$"""
            {"op":"alloc","buf":"f","length":4096,"file":"{{_file}}"}
            {"op":"protect","buf":"f","offset":0,"length":4096,"prot":"r"}

            """.Replace("\n\n", "\n");
        Trace trace = Trace.Parse("t", text);
        Assert.That(((AllocStep)trace.Steps[0]).File, Is.EqualTo(_file));
        Assert.That(trace.Steps[1], Is.EqualTo(new ProtectStep("f", 0, 4096, "r") { Line = 2 }));
        Assert.That(trace.ToJsonLines(), Is.EqualTo(text));
        var error = Assert.Throws<TraceFormatException>(() => Trace.Parse("t", "{\"op\":\"protect\",\"buf\":\"f\",\"offset\":0,\"length\":4096,\"prot\":\"x\"}"));
        Assert.That(error!.Message, Does.Contain("'prot' must be one of none, r, rw"));
    }

    [Test]
    public void AFileBufferHoldsTheFileAndWritesStayPrivate()
    {
        var results = Replay($$"""
            {"op":"alloc","buf":"f","length":8192,"file":"{{_file}}"}
            {"op":"read","label":"read_file","buf":"f","offset":4094,"length":4}
            {"op":"write","buf":"f","offset":4095,"hex":"ee"}
            {"op":"read","label":"read_written","buf":"f","offset":4094,"length":4}
            """);
        Assert.That(results["read_file"].Hex, Is.EqualTo(Convert.ToHexStringLower([FileByte(4094), FileByte(4095), FileByte(4096), FileByte(4097)])));
        Assert.That(results["read_written"].Hex![2..4], Is.EqualTo("ee"));
        Assert.That(File.ReadAllBytes(_file)[4095], Is.EqualTo(FileByte(4095)), "MAP_PRIVATE: the file keeps its bytes");
    }

    [Test]
    public void AFileShorterThanTheBufferIsRefused()
    {
        var error = Assert.Throws<TraceFormatException>(() => Replay($$"""{"op":"alloc","buf":"f","length":12288,"file":"{{_file}}"}"""));
        Assert.That(error!.Message, Does.Contain("fewer than the 12288"));
    }

    [TestCase("none", "write", "protected 'none'")]
    [TestCase("none", "read", "protected 'none'")]
    [TestCase("r", "write", "protected 'r'")]
    public void TheReplayNeverTouchesAProtectedPage(string prot, string op, string expected)
    {
        string access = op == "write" ? "\"hex\":\"0101\"" : "\"length\":2"; // one byte in each page
        var error = Assert.Throws<TraceFormatException>(() => Replay($$"""
            {"op":"alloc","buf":"a","length":8192}
            {"op":"protect","buf":"a","offset":4096,"length":4096,"prot":"{{prot}}"}
            {"op":"{{op}}","buf":"a","offset":4095,{{access}}}
            """));
        Assert.That(error!.Message, Does.Contain(expected).And.Contain("step 2"));
    }

    [Test]
    public void ProtectionsCanBeLiftedAndMustCoverWholePages()
    {
        var results = Replay("""
            {"op":"alloc","buf":"a","length":8192}
            {"op":"protect","buf":"a","offset":0,"length":8192,"prot":"r"}
            {"op":"read","buf":"a","offset":0,"length":2}
            {"op":"protect","buf":"a","offset":0,"length":4096,"prot":"rw"}
            {"op":"write","buf":"a","offset":0,"hex":"0102"}
            {"op":"read","label":"read_lifted","buf":"a","offset":0,"length":2}
            """);
        Assert.That(results["read_lifted"].Hex, Is.EqualTo("0102"));
        var error = Assert.Throws<TraceFormatException>(() => Replay("""
            {"op":"alloc","buf":"a","length":8192}
            {"op":"protect","buf":"a","offset":2048,"length":4096,"prot":"none"}
            """));
        Assert.That(error!.Message, Does.Contain("whole pages"));
    }

    [Test]
    public void RemovingAnAllocationRemovesItsProtections()
    {
        Trace trace = Trace.Parse("t", """
            {"op":"alloc","buf":"a","length":8192}
            {"op":"protect","buf":"a","offset":0,"length":4096,"prot":"none"}
            {"op":"open"}
            """);
        Assert.That(TraceEditor.Remove(trace, [0]).Steps, Is.EqualTo(new TraceStep[] { new OpenStep() }));
    }
}
