using IommuFd.Bindings.Backends;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>The hugetlb buffer kind (an alloc step with "hugetlb": true): the parser's rules, the engine's
/// stand-in memory, and the kernel side's failure when no huge pages are reserved.</summary>
public sealed class HugetlbBufferTests
{
    private const ulong HugePage = 2UL << 20;

    [Test]
    public void ParsesAndWritesBackAHugetlbAllocation()
    {
        const string Text = "{\"op\":\"alloc\",\"buf\":\"h\",\"length\":4194304,\"hugetlb\":true}\n";
        Trace trace = Trace.Parse("t", Text);
        Assert.That(((AllocStep)trace.Steps[0]).Hugetlb, Is.True);
        Assert.That(trace.ToJsonLines(), Is.EqualTo(Text));
        Assert.That(((AllocStep)Trace.Parse("t", "{\"op\":\"alloc\",\"buf\":\"a\",\"length\":4096,\"hugetlb\":false}").Steps[0]).Hugetlb, Is.False);
    }

    [TestCase("{\"op\":\"alloc\",\"buf\":\"h\",\"length\":4096,\"hugetlb\":true}", "whole 2 MiB pages")]
    [TestCase("{\"op\":\"alloc\",\"buf\":\"h\",\"length\":2097152,\"hugetlb\":1}", "'hugetlb' must be true or false")]
    [TestCase("{\"op\":\"alloc\",\"buf\":\"h\",\"length\":2097152,\"hugetlb\":true,\"file\":\"/proc/self/exe\"}", "'file' and 'proc' exclude it")]
    [TestCase("{\"op\":\"alloc\",\"buf\":\"h\",\"length\":2097152,\"hugetlb\":true,\"proc\":\"p\"}", "'file' and 'proc' exclude it")]
    public void MalformedHugetlbAllocationsAreRefused(string line, string expected)
    {
        var error = Assert.Throws<TraceFormatException>(() => Trace.Parse("t", line));
        Assert.That(error!.Message, Does.Contain(expected));
    }

    [Test]
    public void TheEngineGivesAlignedMemoryItModelsAsHugetlb()
    {
        using var engine = TestKernelEngine.Create();
        var results = TraceReplayer.Replay(engine, Trace.Parse("t", """
            {"op":"alloc","buf":"h","length":4194304,"hugetlb":true}
            {"op":"write","buf":"h","offset":2097151,"hex":"a1b2"}
            {"op":"read","label":"read","buf":"h","offset":2097151,"length":2}
            {"op":"ioctl","label":"check_refs","cmd":"IOMMU_TEST_CMD","arg":{"op":4,"check_refs":{"uptr":"@h+0","length":4194304,"refs":5}}}
            """));
        Assert.Multiple(() =>
        {
            Assert.That(results["read"].Hex, Is.EqualTo("a1b2"));
            // MD_CHECK_REFS skips compound pages: any count passes on huge pages.
            Assert.That(results["check_refs"].Errno, Is.EqualTo(0), results["check_refs"].ToJson());
        });
        using UserMemory memory = engine.AllocateHugetlb((nuint)HugePage);
        Assert.That(memory.Address % HugePage, Is.EqualTo(0));
        Assert.That(() => engine.AllocateHugetlb(4096), Throws.ArgumentException);
    }

    [Test]
    public void ProtectOfAHugetlbBufferNeedsWholeHugePages()
    {
        using var engine = TestKernelEngine.Create();
        var error = Assert.Throws<TraceFormatException>(() => TraceReplayer.Replay(engine, Trace.Parse("t", """
            {"op":"alloc","buf":"h","length":4194304,"hugetlb":true}
            {"op":"protect","buf":"h","offset":0,"length":4096,"prot":"none"}
            """)));
        Assert.That(error!.Message, Does.Contain("whole 2 MiB pages"));
    }

    [Test]
    public void WithoutReservedHugePagesTheKernelSideFailsSayingHowToReserveThem()
    {
        if (FreeHugePages() is not 0)
            Assert.Ignore($"this host has {FreeHugePages()} free huge pages (or no hugetlbfs): the failure cannot be provoked here");
        using var kernel = new KernelBackend();
        var error = Assert.Throws<InvalidOperationException>(() => kernel.AllocateHugetlb((nuint)HugePage));
        Assert.That(error!.Message, Does.Contain("ENOMEM").And.Contain("vm.nr_hugepages"));
    }

    // HugePages_Free of /proc/meminfo, or null without hugetlbfs.
    private static long? FreeHugePages()
    {
        foreach (string line in File.ReadLines("/proc/meminfo"))
            if (line.StartsWith("HugePages_Free:", StringComparison.Ordinal))
                return long.Parse(line["HugePages_Free:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return null;
    }
}
