using System.Text.Json.Nodes;
using IommuFd.Conformance.Diff;
using IommuFd.Conformance.Random;
using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>The device-aware generator: deterministic, well-formed, covering its scope, and staying inside
/// what the engine models (no ENOSYS), with enough valid calls that devices, domains and checks really
/// happen. Runs on the engine configured as the virtio-iommu VM.</summary>
public sealed class DeviceSequenceGeneratorTests
{
    [Test]
    public void SameSeedSameTraces()
    {
        var a = new DeviceSequenceGenerator(42);
        var b = new DeviceSequenceGenerator(42);
        for (int i = 0; i < 20; i++)
            Assert.That(a.Next(40).ToJsonLines(), Is.EqualTo(b.Next(40).ToJsonLines()));
        Assert.That(new DeviceSequenceGenerator(43).Next(40).ToJsonLines(), Is.Not.EqualTo(new DeviceSequenceGenerator(42).Next(40).ToJsonLines()));
    }

    /// <summary>Every op of iommufd.h and iommufd_test.h (6.12) the generator writes, with the fd steps.</summary>
    private static readonly string[] Scope =
    [
        "IOMMU_DESTROY", "IOMMU_IOAS_ALLOC", "IOMMU_IOAS_ALLOW_IOVAS", "IOMMU_IOAS_COPY", "IOMMU_IOAS_IOVA_RANGES",
        "IOMMU_IOAS_MAP", "IOMMU_IOAS_UNMAP", "IOMMU_OPTION", "IOMMU_VFIO_IOAS", "IOMMU_HWPT_ALLOC", "IOMMU_GET_HW_INFO",
        "IOMMU_HWPT_SET_DIRTY_TRACKING", "IOMMU_HWPT_GET_DIRTY_BITMAP", "IOMMU_HWPT_INVALIDATE", "IOMMU_FAULT_QUEUE_ALLOC",
        "IOMMU_TEST_CMD op 1 ADD_RESERVED", "IOMMU_TEST_CMD op 2 MOCK_DOMAIN", "IOMMU_TEST_CMD op 3 MD_CHECK_MAP",
        "IOMMU_TEST_CMD op 4 MD_CHECK_REFS", "IOMMU_TEST_CMD op 5 CREATE_ACCESS", "IOMMU_TEST_CMD op 6 DESTROY_ACCESS_PAGES",
        "IOMMU_TEST_CMD op 7 ACCESS_PAGES", "IOMMU_TEST_CMD op 8 ACCESS_RW", "IOMMU_TEST_CMD op 9 SET_TEMP_MEMORY_LIMIT",
        "IOMMU_TEST_CMD op 10 MOCK_DOMAIN_REPLACE", "IOMMU_TEST_CMD op 11 ACCESS_REPLACE_IOAS",
        "IOMMU_TEST_CMD op 12 MOCK_DOMAIN_FLAGS", "IOMMU_TEST_CMD op 13 DIRTY", "IOMMU_TEST_CMD op 14 MD_CHECK_IOTLB",
        "IOMMU_TEST_CMD op 15 TRIGGER_IOPF", "IOMMU_TEST_CMD unknown op", "VFIO_CHECK_EXTENSION", "VFIO_SET_IOMMU",
        "VFIO_IOMMU_MAP_DMA", "VFIO_IOMMU_UNMAP_DMA", "VFIO_IOMMU_GET_INFO", "fdread", "fdwrite", "close",
    ];

    [Test]
    public void GeneratedTracesAreWellFormedAndCoverTheScope()
    {
        var generator = new DeviceSequenceGenerator(7);
        var calls = new HashSet<string>();
        for (int i = 0; i < 200; i++)
        {
            Trace trace = generator.Next(40);
            Trace parsed = Trace.Parse(trace.Name, trace.ToJsonLines());
            Assert.That(parsed.ToJsonLines(), Is.EqualTo(trace.ToJsonLines()));
            var deps = TraceEditor.Dependencies(trace);
            for (int s = 0; s < deps.Count; s++)
                Assert.That(deps[s].All(d => d < s), Is.True);
            calls.UnionWith(trace.Steps.Select(OpCoverage.Kind).OfType<string>());
        }
        Assert.That(calls, Is.SupersetOf(Scope));
    }

    /// <summary>Per call kind, how many succeeded in 100 sequences on the engine: every kind must succeed
    /// sometimes and fail sometimes (its error paths), and nothing may answer ENOSYS (not modelled).</summary>
    [Test]
    public void SequencesStayInsideTheModelAndMostlyWork()
    {
        using var engine = new IommuFd.Engine.EngineBackend(TestKernelEngine.MockDomainOptions());
        var generator = new DeviceSequenceGenerator(11);
        var coverage = new OpCoverage();
        for (int i = 0; i < 100; i++)
        {
            Trace trace = generator.Next(40);
            IReadOnlyList<StepResult> results = TraceReplayer.Replay(engine, trace);
            for (int s = 0; s < trace.Steps.Count; s++)
                Assert.That(results[s].Errno, Is.Not.EqualTo(38), $"{trace.Name} step {s} ({OpCoverage.Kind(trace.Steps[s])}) is not modelled\n{trace.ToJsonLines()}");
            coverage.Add(trace, results);
        }
        string table = coverage.ToTable();
        TestContext.Progress.WriteLine(table);
        // Each iommufd and selftest op both ways (the VFIO compat ioctls are rarer: only reached); fdread fails
        // only on a closed fd, which the generator does not read.
        foreach (string kind in Scope.Where(k => k.StartsWith("IOMMU_", StringComparison.Ordinal) && k != "IOMMU_TEST_CMD unknown op").Append("fdwrite"))
        {
            Assert.That(coverage.Counts.GetValueOrDefault(kind).Ok, Is.GreaterThan(0), $"{kind} never succeeds\n{table}");
            Assert.That(coverage.Counts.GetValueOrDefault(kind).Failed, Is.GreaterThan(0), $"{kind} never fails\n{table}");
        }
        Assert.That(coverage.Counts.GetValueOrDefault("fdread").Ok, Is.GreaterThan(0), table);
    }

    [Test]
    public void IdenticalEnginesNeverDiverge()
    {
        using var a = new IommuFd.Engine.EngineBackend(TestKernelEngine.MockDomainOptions());
        using var b = new IommuFd.Engine.EngineBackend(TestKernelEngine.MockDomainOptions());
        RandomDifferentialResult result = new RandomDifferential(a, b).Run(new DeviceSequenceGenerator(9), sequences: 30, steps: 40);
        Assert.That(result.Report.IsEmpty, Is.True, result.Report.ToText());
        Assert.That(result.Sequences, Is.EqualTo(30));
        Assert.That(result.Seed, Is.EqualTo(9));
    }
}
