namespace IommuFd.Conformance.Tests.Library;

public sealed class TraceParserTests
{
    private const string Valid = """
        {"op":"alloc","buf":"a","length":8192}
        {"op":"write","buf":"a","offset":16,"hex":"00ff"}
        {"op":"ioctl","cmd":"FAKE_CMD","arg":{"id":1,"user_va":"@a+4096","range":{"start":"0x10"}},"tail":"00"}
        {"op":"ioctl","cmd":"FAKE_VALUE","value":21,"fd":1}
        {"op":"read","buf":"a","offset":0,"length":4}
        {"op":"open"}
        {"op":"close","fd":1}

        """;

    [Test]
    public void ParsesEveryOpAndWritesItBackTheSame()
    {
        Trace trace = Trace.Parse("t", Valid.Replace("\n\n", "\n"));
        Assert.That(trace.Steps.Select(s => s.GetType().Name), Is.EqualTo(new[]
        {
            "AllocStep", "WriteStep", "IoctlStep", "IoctlStep", "ReadStep", "OpenStep", "CloseStep",
        }));
        Assert.That(trace.Steps[2].Line, Is.EqualTo(3));
        Trace again = Trace.Parse("t", trace.ToJsonLines());
        Assert.That(again.ToJsonLines(), Is.EqualTo(trace.ToJsonLines()));
        Assert.That(((IoctlStep)trace.Steps[3]).Fd, Is.EqualTo(1));
    }

    [Test]
    public void AKernelsHeaderNamesTheKernelsAndShiftsTheLines()
    {
        Trace trace = Trace.Parse("t", "{\"kernels\":\">=6.12 <7.3\"}\n" + Valid.Replace("\n\n", "\n"));
        Assert.Multiple(() =>
        {
            Assert.That(trace.Steps, Has.Count.EqualTo(7));
            Assert.That(trace.Steps[2].Line, Is.EqualTo(4));
            Assert.That(trace.AppliesTo(Engine.KernelRelease.Parse("6.12.118")), Is.True);
            Assert.That(trace.AppliesTo(Engine.KernelRelease.Parse("7.3.4")), Is.False);
            Assert.That(trace.AppliesTo(Engine.KernelRelease.Parse("6.6.1")), Is.False);
            Assert.That(trace.ToJsonLines(), Does.StartWith("{\"kernels\":\">=6.12 <7.3\"}\n"));
            Assert.That(Trace.Parse("t", trace.ToJsonLines()).Kernels, Is.EqualTo(trace.Kernels));
            Assert.That(Trace.Parse("t", Valid.Replace("\n\n", "\n")).AppliesTo(Engine.KernelRelease.Parse("7.3.4")), Is.True);
        });
    }

    [TestCase("{\"kernels\":\"7.3\"}", "'kernels' must be")]
    [TestCase("{\"kernels\":\"<=7.3\"}", "'kernels' must be")]
    [TestCase("{\"kernels\":\">=7.3 >=7.4\"}", "'kernels' must be")]
    [TestCase("{\"kernels\":1}", "must be a string")]
    [TestCase("{\"kernels\":\"<7.3\",\"x\":1}", "only \"kernels\"")]
    public void ABadHeaderIsReportedOnLineOne(string header, string expected)
    {
        var error = Assert.Throws<TraceFormatException>(() => Trace.Parse("t", header + "\n{\"op\":\"open\"}\n"));
        Assert.That(error!.Message, Does.StartWith("t:1: ").And.Contain(expected));
    }

    [TestCase("{\"op\":\"alloc\",\"buf\":\"a\"}", "missing 'length'")]
    [TestCase("{\"op\":\"frobnicate\"}", "unknown op 'frobnicate'")]
    [TestCase("{\"op\":\"ioctl\",\"cmd\":\"X\",\"arg\":{},\"value\":1}", "exclude each other")]
    [TestCase("{\"op\":\"ioctl\",\"cmd\":\"X\",\"argz\":{}}", "unknown key 'argz'")]
    [TestCase("{\"op\":\"write\",\"buf\":\"a\",\"offset\":0,\"hex\":\"abc\"}", "even number of hex digits")]
    [TestCase("{\"op\":\"alloc\",\"buf\":\"a\",\"length\":-1}", "non-negative integer")]
    [TestCase("{not json", "not valid JSON")]
    [TestCase("[1,2]", "must be a JSON object")]
    public void ReportsMalformedLinesWithTheirLine(string line, string expected)
    {
        var error = Assert.Throws<TraceFormatException>(() => Trace.Parse("bad", line));
        Assert.That(error!.Message, Does.Contain(expected).And.Contain("bad:1"));
    }

    [Test]
    public void KeepsLabelsRightAfterTheOpAndFindsStepsByThem()
    {
        const string text = "{\"op\":\"open\",\"label\":\"first\"}\n{\"op\":\"close\",\"fd\":1}\n{\"op\":\"open\",\"label\":\"second\"}\n";
        Trace trace = Trace.Parse("t", text);
        Assert.That(trace.Steps.Select(s => s.Label), Is.EqualTo(new[] { "first", null, "second" }));
        Assert.That(trace.IndexOf("second"), Is.EqualTo(2));
        Assert.That(trace.ToJsonLines(), Is.EqualTo(text));
        var missing = Assert.Throws<KeyNotFoundException>(() => trace.IndexOf("third"));
        Assert.That(missing!.Message, Is.EqualTo("trace 't' has no step labelled 'third'"));
    }

    [Test]
    public void ALabelUsedTwiceIsAnErrorNamingBothLines()
    {
        var error = Assert.Throws<TraceFormatException>(() =>
            Trace.Parse("twice", "{\"op\":\"open\",\"label\":\"x\"}\n{\"op\":\"open\"}\n{\"op\":\"close\",\"label\":\"x\",\"fd\":1}\n"));
        Assert.That(error!.Message, Is.EqualTo("twice:3: label 'x' is already the label of line 1 (labels are unique within a trace)"));
    }

    [TestCase("{\"op\":\"open\",\"label\":\"\"}", "bad:1: 'label' must be non-empty")]
    [TestCase("{\"op\":\"open\",\"label\":3}", "bad:1: 'label' must be a string")]
    public void ABadLabelIsReportedWithItsLine(string line, string expected)
    {
        var error = Assert.Throws<TraceFormatException>(() => Trace.Parse("bad", line));
        Assert.That(error!.Message, Is.EqualTo(expected));
    }

    [Test]
    public void AnEmptyLineInTheMiddleIsAnError()
    {
        var error = Assert.Throws<TraceFormatException>(() => Trace.Parse("gap", "{\"op\":\"open\"}\n\n{\"op\":\"open\"}\n"));
        Assert.That(error!.Message, Does.Contain("gap:2").And.Contain("empty line"));
    }

    [Test]
    public void LoadsFilesAndNamesTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"trace-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, "{\"op\":\"open\"}\n{\"op\":\"alloc\"}\n");
        try
        {
            var error = Assert.Throws<TraceFormatException>(() => Trace.Load(path));
            Assert.That(error!.Message, Does.StartWith($"{path}:2:"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
