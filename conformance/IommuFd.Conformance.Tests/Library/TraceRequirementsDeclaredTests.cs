using IommuFd.Conformance.Requirements;
using IommuFd.Engine;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>Every repository trace states exactly what it needs (its folders' requires.json): a need
/// is declared when, and only when, the trace's steps use it, and on the machine that gives every need
/// (the engine modelling the virtio-iommu VM) each trace gets past its set-up.</summary>
public sealed class TraceRequirementsDeclaredTests
{
    public static IEnumerable<string> Files() => TraceFiles.All();

    [TestCaseSource(nameof(Files))]
    public void DeclaresWhatItsStepsUse(string name)
    {
        Trace trace = Trace.Load(Path.Combine(TraceFiles.Directory, name));
        TraceRequirements needs = TraceFiles.Requirements(name);
        using var engine = new EngineBackend(TestKernelEngine.MockDomainOptions());
        IReadOnlyList<StepResult> results = TraceReplayer.Replay(engine, trace);

        Assert.That(needs.Has(NeedKind.Hugetlb), Is.EqualTo(TraceRequirements.BearingSteps(trace, TraceNeed.Hugetlb).Any()), "hugetlb: declared iff a buffer is hugetlb");
        Assert.That(needs.Has(NeedKind.VfioDevice), Is.EqualTo(TraceRequirements.BearingSteps(trace, TraceNeed.VfioDevice).Any()), "vfio-device: declared iff a VFIO device opens");
        var mockDomains = TraceRequirements.BearingSteps(trace, TraceNeed.MockDomain).ToList();
        if (needs.SetUpSteps is null)
            Assert.That(needs.Has(NeedKind.MockDomain), Is.EqualTo(mockDomains.Any(i => results[i].Errno == 0)),
                "mock-domain: declared iff a MOCK_DOMAIN succeeds where mock domains exist");
        else
            Assert.That(!needs.Has(NeedKind.MockDomain) || mockDomains.Count > 0, "a trace with a named set-up declares mock-domain only when it calls MOCK_DOMAIN");
        Assert.That(needs.SetUpNotReached(trace, results), Is.Null);
    }

    [Test]
    public void EveryTraceARequirementsFileNamesExists()
    {
        var files = Directory.EnumerateFiles(TraceFiles.Directory, RequirementsFile.FileName, SearchOption.AllDirectories).ToList();
        Assert.That(files, Is.Not.Empty);
        foreach (string file in files)
            foreach (string trace in RequirementsFile.Load(file).Traces.Keys)
                Assert.That(File.Exists(Path.Combine(Path.GetDirectoryName(file)!, trace + ".jsonl")), $"{file} names {trace}, which does not exist");
    }
}
