namespace IommuFd.Conformance.Tests.Library;

public sealed class TraceReplayerTests
{
    private static ReplayResults Replay(string text, FakeBackend? backend = null) =>
        TraceReplayer.Replay(backend ?? new FakeBackend(), Trace.Parse("t", text), FakeBackend.Catalog);

    [Test]
    public void FillsSizeResolvesReferencesAndSymbolizesAddresses()
    {
        var results = Replay("""
            {"op":"alloc","label":"alloc","buf":"a","length":8192}
            {"op":"ioctl","label":"fill","cmd":"FAKE_CMD","arg":{"id":5,"user_va":"@a+0x10","range":{"start":32},"__reserved":[1,2],"small":-2,"pad":[9]}}
            {"op":"ioctl","label":"refer","cmd":"FAKE_CMD","arg":{"id":"$1.id","user_va":"$1.user_va","range":{"start":"$1.range.last"},"flags":"$1.rc"}}
            """);
        StepAssert.Succeeds(results["alloc"]);
        StepAssert.Succeeds(results["fill"]);
        Assert.That(results["fill"].ToJson(), Is.EqualTo(
            "{\"step\":1,\"rc\":0,\"errno\":0,\"arg\":{\"size\":56,\"flags\":0,\"id\":5,\"__reserved\":[1,2,0],\"small\":-2," +
            "\"user_va\":\"@a+16\",\"out_iova\":4112,\"range\":{\"start\":32,\"last\":4127},\"pad\":[9,0,0,0],\"mode\":0}}"));
        StepAssert.FieldIs(results["refer"], "id", 5);
        StepAssert.FieldIs(results["refer"], "user_va", "@a+16");
        StepAssert.FieldIs(results["refer"], "range.start", 4127);
        StepAssert.FieldIs(results["refer"], "out_iova", 0x2010);
    }

    [Test]
    public void ExplicitSizeAndTailsReachTheBackendAndTailsPrintAfterTheCall()
    {
        var results = Replay("""
            {"op":"ioctl","label":"short","cmd":"FAKE_CMD","arg":{"id":1,"size":15}}
            {"op":"ioctl","label":"zero_tail","cmd":"FAKE_CMD","arg":{"id":1},"tail":"0000"}
            {"op":"ioctl","label":"nonzero_tail","cmd":"FAKE_CMD","arg":{"id":1},"tail":"00ff"}
            """);
        StepAssert.Fails(results["short"], Errno.EINVAL);
        StepAssert.Succeeds(results["zero_tail"]);
        StepAssert.FieldIs(results["zero_tail"], "size", 58);
        Assert.That(results["zero_tail"].Tail, Is.EqualTo("0000"));
        StepAssert.Fails(results["nonzero_tail"], Errno.E2BIG);
        Assert.That(results["nonzero_tail"].Tail, Is.EqualTo("00ff"));
    }

    [Test]
    public void IntegerAndNoArgumentIoctlsAndRawRequests()
    {
        var results = Replay("""
            {"op":"ioctl","label":"value","cmd":"FAKE_VALUE","value":21}
            {"op":"ioctl","label":"no_arg","cmd":"FAKE_NONE"}
            {"op":"ioctl","label":"raw","cmd":"0xF00F","value":0}
            {"op":"ioctl","label":"value_for_struct","cmd":"FAKE_CMD","value":0}
            """);
        StepAssert.Succeeds(results["value"], 42);
        StepAssert.Succeeds(results["no_arg"], 7);
        StepAssert.Fails(results["raw"], Errno.ENOTTY);
        StepAssert.Fails(results["value_for_struct"], Errno.EFAULT);
        Assert.That(results.All(r => r.Arg is null), Is.True);
    }

    [Test]
    public void WritesReadsOpensAndClosesFds()
    {
        var backend = new FakeBackend();
        var results = Replay("""
            {"op":"alloc","buf":"a","length":4096}
            {"op":"write","buf":"a","offset":4094,"hex":"abcd"}
            {"op":"read","label":"read","buf":"a","offset":4092,"length":4}
            {"op":"open","label":"open"}
            {"op":"ioctl","label":"on_open","cmd":"FAKE_NONE","fd":1}
            {"op":"close","label":"close","fd":1}
            {"op":"ioctl","label":"on_closed","cmd":"FAKE_NONE","fd":1}
            {"op":"open","label":"open_missing","path":"/nope"}
            """, backend);
        Assert.That(results["read"].Hex, Is.EqualTo("0000abcd"));
        StepAssert.Succeeds(results["open"]);
        StepAssert.Succeeds(results["on_open"], 7);
        StepAssert.Succeeds(results["close"]);
        StepAssert.Fails(results["on_closed"], Errno.EBADF); // a closed fd index replays as fd -1
        StepAssert.Fails(results["open_missing"], Errno.ENOENT);
        Assert.That(backend.Closed, Is.EquivalentTo(new[] { 101, 100 }), "the replay closes what it opened");
    }

    [Test]
    public void FdValuesResolveToTheRealFdAndPrintAsTheTraceFd()
    {
        var results = Replay("""
            {"op":"open"}
            {"op":"ioctl","label":"fd_values","cmd":"FAKE_CMD","arg":{"id":"%1","flags":"%0"}}
            {"op":"ioctl","label":"fd_by_reference","cmd":"FAKE_CMD","arg":{"id":"$1.id"}}
            {"op":"fdread","label":"fdread","fd":1,"length":8}
            {"op":"fdwrite","label":"fdwrite","fd":1,"hex":"00"}
            """);
        StepAssert.FieldIs(results["fd_values"], "id", "fd 1");
        StepAssert.FieldIs(results["fd_values"], "flags", "fd 0");
        StepAssert.FieldIs(results["fd_by_reference"], "id", 101); // "$1.id" is fd 1 again: the fake's fd 101, and the value was not given as "%K"
        StepAssert.Fails(results["fdread"], Errno.EINVAL); // what the fake's read answers
        StepAssert.Fails(results["fdwrite"], Errno.EINVAL);
    }

    [Test]
    public void FdCreatingIoctlsTakeTheNextFdIndexEvenWhenTheyFail()
    {
        using var engine = IommuFd.Conformance.TestKernelEngine.Create();
        var results = TraceReplayer.Replay(engine, Trace.Parse("t", """
            {"op":"ioctl","label":"fault_queue","cmd":"IOMMU_FAULT_QUEUE_ALLOC","arg":{}}
            {"op":"ioctl","label":"failed_fault_queue","cmd":"IOMMU_FAULT_QUEUE_ALLOC","arg":{"flags":1}}
            {"op":"open","label":"open"}
            {"op":"ioctl","label":"ioas_on_open","cmd":"IOMMU_IOAS_ALLOC","arg":{},"fd":3}
            {"op":"fdread","label":"fdread","fd":1,"length":0}
            {"op":"close","label":"close_failed","fd":2}
            {"op":"close","label":"close_queue","fd":1}
            {"op":"fdread","label":"fdread_closed","fd":1,"length":0}
            """));
        StepAssert.FieldIs(results["fault_queue"], "out_fault_fd", "fd 1");
        StepAssert.Fails(results["failed_fault_queue"], Errno.EOPNOTSUPP);
        StepAssert.Succeeds(results["ioas_on_open"]); // fd 3 is the opened /dev/iommu: the failed allocation took fd 2
        StepAssert.Succeeds(results["fdread"]);
        Assert.That(results["fdread"].Hex, Is.Empty);
        StepAssert.Fails(results["close_failed"], Errno.EBADF);
        StepAssert.Succeeds(results["close_queue"]);
        StepAssert.Fails(results["fdread_closed"], Errno.EBADF);
    }

    [TestCase("{\"op\":\"ioctl\",\"cmd\":\"FAKE_CMD\",\"arg\":{\"nope\":1}}", "has no field 'nope'")]
    [TestCase("{\"op\":\"ioctl\",\"cmd\":\"FAKE_CMD\",\"arg\":{\"flags\":4294967296}}", "does not fit in 4 bytes")]
    [TestCase("{\"op\":\"ioctl\",\"cmd\":\"FAKE_CMD\",\"arg\":{\"id\":\"$5.id\"}}", "refers to step 5")]
    [TestCase("{\"op\":\"ioctl\",\"cmd\":\"FAKE_CMD\",\"arg\":{\"user_va\":\"@zz+0\"}}", "no buffer 'zz'")]
    [TestCase("{\"op\":\"ioctl\",\"cmd\":\"FAKE_CMD\",\"arg\":{\"__reserved\":[1,2,3,4]}}", "4 elements for an array of 3")]
    [TestCase("{\"op\":\"ioctl\",\"cmd\":\"NOT_A_CMD\"}", "unknown ioctl 'NOT_A_CMD'")]
    [TestCase("{\"op\":\"ioctl\",\"cmd\":\"FAKE_VALUE\",\"arg\":{}}", "takes no struct")]
    [TestCase("{\"op\":\"read\",\"buf\":\"a\",\"offset\":0,\"length\":1}", "no buffer 'a'")]
    [TestCase("{\"op\":\"close\",\"fd\":3}", "fd 3 was never opened")]
    [TestCase("{\"op\":\"fdread\",\"fd\":2,\"length\":8}", "fd 2 was never opened")]
    [TestCase("{\"op\":\"ioctl\",\"cmd\":\"FAKE_CMD\",\"arg\":{\"id\":\"%4\"}}", "names fd 4, which was never opened")]
    public void ReportsStepsThatCannotBeReplayedWithLineAndStep(string line, string expected)
    {
        var error = Assert.Throws<TraceFormatException>(() => Replay("{\"op\":\"open\"}\n" + line));
        Assert.That(error!.Message, Does.Contain(expected).And.Contain("line 2 (step 1)"));
    }
}
