using IommuFd.Conformance.Requirements;
using IommuFd.Engine;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>Needs, requires.json, the probes and the set-up guard (docs/traces.md, "Requirements").</summary>
public sealed class TraceRequirementsTests
{
    [TestCase("mock-domain", NeedKind.MockDomain)]
    [TestCase("hugetlb", NeedKind.Hugetlb)]
    [TestCase("vfio-device", NeedKind.VfioDevice)]
    public void NeedsParseAndPrintBack(string text, NeedKind kind)
    {
        TraceNeed need = TraceNeed.Parse(text);
        Assert.That(need.Kind, Is.EqualTo(kind));
        Assert.That(need.ToString(), Is.EqualTo(text));
    }

    [TestCase("mock-domains")]
    [TestCase("kernel")]
    [TestCase("kernel 7.3")]
    public void UnknownOrEmptyNeedsAreRefused(string text) =>
        Assert.That(() => TraceNeed.Parse(text), Throws.TypeOf<FormatException>());

    [Test]
    public void FolderNeedsHoldBelowTheFolderAndTraceEntriesAddTheirOwn()
    {
        string root = Directory.CreateTempSubdirectory("iommufd-requires-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "md", "sub"));
            File.WriteAllText(Path.Combine(root, "md", RequirementsFile.FileName),
                "{\"needs\":[\"mock-domain\"],\"traces\":{\"big\":[\"hugetlb\"],\"sub/new\":[\"vfio-device\"]}}");
            Assert.That(TraceRequirements.ForFile(Path.Combine(root, "md", "big.jsonl"), root).ToString(), Is.EqualTo("mock-domain, hugetlb"));
            Assert.That(TraceRequirements.ForFile(Path.Combine(root, "md", "small.jsonl"), root).ToString(), Is.EqualTo("mock-domain"));
            Assert.That(TraceRequirements.ForFile(Path.Combine(root, "md", "sub", "new.jsonl"), root).ToString(), Is.EqualTo("mock-domain, vfio-device"));
            Assert.That(TraceRequirements.ForFile(Path.Combine(root, "plain.jsonl"), root).Needs, Is.Empty);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void MalformedRequirementsNameTheFileAndLine()
    {
        var e = Assert.Throws<TraceFormatException>(() => RequirementsFile.Parse("/t/requires.json", "{\n\"needs\": [\"hugetlb\",]\n}"));
        Assert.That(e!.Message, Does.StartWith("/t/requires.json line 2:"));
        Assert.That(() => RequirementsFile.Parse("/t/requires.json", "{\"need\":[]}"), Throws.TypeOf<TraceFormatException>().With.Message.Contains("unknown key 'need'"));
    }

    [Test]
    public void TheMockDomainProbeFollowsTheMachineTheEngineModels()
    {
        using var vtd = new EngineBackend(TestKernelEngine.Options() with { MockIommuOwnsMockBus = false });
        using var virtio = new EngineBackend(TestKernelEngine.MockDomainOptions());
        using var noSelftest = new EngineBackend(EngineOptions.Default);

        Assert.That(NeedProbe.Check(vtd, TraceNeed.MockDomain), Is.EqualTo("IOMMU_TEST_OP_MOCK_DOMAIN on a fresh IOAS answered EINVAL"));
        Assert.That(NeedProbe.Check(virtio, TraceNeed.MockDomain), Is.Null);
        Assert.That(NeedProbe.Check(noSelftest, TraceNeed.MockDomain), Does.EndWith("answered ENOTTY (no CONFIG_IOMMUFD_TEST)"));
        Assert.That(NeedProbe.Check(virtio, TraceNeed.Hugetlb), Is.Null, "the engine models hugetlb memory");
        Assert.That(NeedProbe.Check(virtio, TraceNeed.VfioDevice), Is.EqualTo("/dev/vfio/devices/vfio0 does not open (ENOENT)"));
    }

    [Test]
    public void UnmetNamesTheNeedAndEachBackendThatLacksIt()
    {
        using var vtd = new EngineBackend(TestKernelEngine.Options() with { MockIommuOwnsMockBus = false });
        using var virtio = new EngineBackend(TestKernelEngine.MockDomainOptions());
        var needs = new TraceRequirements([TraceNeed.Hugetlb, TraceNeed.MockDomain]);

        Assert.That(needs.Unmet(virtio, vtd), Is.EqualTo("needs mock-domain: engine: IOMMU_TEST_OP_MOCK_DOMAIN on a fresh IOAS answered EINVAL"));
        Assert.That(needs.Unmet(virtio), Is.Null);
    }

    [Test]
    public void TheSetUpIsReachedWhenEachNeedHasASucceedingStep()
    {
        Trace trace = Trace.Parse("t",
            "{\"op\":\"alloc\",\"buf\":\"h\",\"length\":2097152,\"hugetlb\":true}\n" +
            "{\"op\":\"ioctl\",\"cmd\":\"IOMMU_IOAS_ALLOC\",\"arg\":{}}\n" +
            "{\"op\":\"ioctl\",\"cmd\":\"IOMMU_TEST_CMD\",\"arg\":{\"op\":2,\"id\":999}}\n" +
            "{\"op\":\"ioctl\",\"cmd\":\"IOMMU_TEST_CMD\",\"arg\":{\"op\":12,\"id\":\"$1.out_ioas_id\",\"mock_domain_flags\":{\"dev_flags\":1}}}\n");
        var needs = new TraceRequirements([TraceNeed.Hugetlb, TraceNeed.MockDomain]);
        StepResult Ok(int step) => new() { Step = step };
        StepResult Failed(int step, int errno) => new() { Step = step, Rc = -1, Errno = errno };

        Assert.That(TraceRequirements.BearingSteps(trace, TraceNeed.MockDomain), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(needs.SetUpNotReached(trace, [Ok(0), Ok(1), Failed(2, 2), Ok(3)]), Is.Null, "one MOCK_DOMAIN succeeding is enough");
        Assert.That(needs.SetUpNotReached(trace, [Ok(0), Ok(1), Failed(2, 2), Failed(3, 22)]),
            Is.EqualTo("set-up not reached: no mock-domain step succeeded (step 2: ENOENT, step 3: EINVAL)"));
        Assert.That(new TraceRequirements([TraceNeed.VfioDevice]).SetUpNotReached(trace, [Ok(0), Ok(1), Ok(2), Ok(3)]),
            Is.EqualTo("set-up not reached: the trace needs vfio-device but no step uses it"));
    }

    [Test]
    public void ANamedSetUpIsItsFirstStepsAllSucceeding()
    {
        Trace trace = Trace.Parse("t",
            "{\"op\":\"ioctl\",\"cmd\":\"IOMMU_IOAS_ALLOC\",\"arg\":{}}\n" +
            "{\"op\":\"ioctl\",\"cmd\":\"IOMMU_TEST_CMD\",\"arg\":{\"op\":2,\"id\":\"$0.out_ioas_id\"}}\n");
        var needs = new TraceRequirements([TraceNeed.MockDomain], setUpSteps: 1);
        StepResult Ok(int step) => new() { Step = step };
        StepResult Failed(int step, int errno) => new() { Step = step, Rc = -1, Errno = errno };

        Assert.That(needs.SetUpNotReached(trace, [Ok(0), Failed(1, 14)]), Is.Null, "the MOCK_DOMAIN after the set-up may fail (EFAULT, say)");
        Assert.That(needs.SetUpNotReached(trace, [Failed(0, 12), Failed(1, 14)]), Is.EqualTo("set-up not reached: step 0 of its 1-step set-up answered ENOMEM"));
        var e = Assert.Throws<TraceFormatException>(() => RequirementsFile.Parse("/t/requires.json", "{\"traces\":{\"x\":{\"setup\":0}}}"));
        Assert.That(e!.Message, Does.Contain("'setup' (a positive step count)"));
    }

    [Test]
    public void TheSetUpOfATraceBuiltInCodeIsFoundLikeThatOfAParsedOne()
    {
        // A trace built in code holds plain numbers where a parsed one holds JSON elements.
        using var virtio = new EngineBackend(TestKernelEngine.MockDomainOptions());
        var needs = new TraceRequirements([TraceNeed.MockDomain]);
        foreach (Trace built in IoasVariant.CodeTraces())
        {
            Trace parsed = Trace.Parse(built.Name, built.ToJsonLines());
            Assert.That(needs.SetUpNotReached(built, TraceReplayer.Replay(virtio, built)), Is.Null, built.Name);
            Assert.That(needs.SetUpNotReached(parsed, TraceReplayer.Replay(virtio, parsed)), Is.Null, parsed.Name);
        }
    }
}
