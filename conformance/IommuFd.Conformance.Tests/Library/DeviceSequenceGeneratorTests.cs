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
            calls.UnionWith(trace.Steps.OfType<IoctlStep>().Select(Describe));
        }
        Assert.That(calls, Is.SupersetOf(new[]
        {
            "IOMMU_TEST_CMD op 1", "IOMMU_TEST_CMD op 2", "IOMMU_TEST_CMD op 3", "IOMMU_TEST_CMD op 4", "IOMMU_TEST_CMD op 10",
            "IOMMU_TEST_CMD op 12", "IOMMU_HWPT_ALLOC", "IOMMU_GET_HW_INFO", "IOMMU_DESTROY", "IOMMU_IOAS_ALLOC",
            "IOMMU_IOAS_MAP", "IOMMU_IOAS_UNMAP", "IOMMU_IOAS_COPY", "IOMMU_IOAS_IOVA_RANGES", "IOMMU_IOAS_ALLOW_IOVAS",
            "IOMMU_OPTION", "IOMMU_VFIO_IOAS", "VFIO_CHECK_EXTENSION", "VFIO_IOMMU_MAP_DMA",
        }));
    }

    /// <summary>Per call kind, how many succeeded in 100 sequences on the engine: every kind must succeed
    /// sometimes (and fail sometimes where it can), and nothing may answer ENOSYS (not modelled).</summary>
    [Test]
    public void SequencesStayInsideTheModelAndMostlyWork()
    {
        using var engine = new IommuFd.Engine.EngineBackend(TestKernelEngine.MockDomainOptions());
        var generator = new DeviceSequenceGenerator(11);
        var ok = new Dictionary<string, int>();
        var failed = new Dictionary<string, int>();
        for (int i = 0; i < 100; i++)
        {
            Trace trace = generator.Next(40);
            IReadOnlyList<StepResult> results = TraceReplayer.Replay(engine, trace);
            for (int s = 0; s < trace.Steps.Count; s++)
            {
                if (trace.Steps[s] is not IoctlStep ioctl)
                    continue;
                Assert.That(results[s].Errno, Is.Not.EqualTo(38), $"{trace.Name} step {s} ({Describe(ioctl)}) is not modelled\n{trace.ToJsonLines()}");
                Dictionary<string, int> counts = results[s].Rc >= 0 ? ok : failed;
                counts[Describe(ioctl)] = counts.GetValueOrDefault(Describe(ioctl)) + 1;
            }
        }
        string table = string.Join('\n', ok.Keys.Union(failed.Keys).Order().Select(k => $"{k}: {ok.GetValueOrDefault(k)} ok, {failed.GetValueOrDefault(k)} failed"));
        TestContext.Progress.WriteLine(table);
        foreach (string kind in new[] { "IOMMU_TEST_CMD op 2", "IOMMU_TEST_CMD op 3", "IOMMU_TEST_CMD op 4", "IOMMU_TEST_CMD op 10",
                                        "IOMMU_TEST_CMD op 12", "IOMMU_HWPT_ALLOC", "IOMMU_GET_HW_INFO", "IOMMU_DESTROY", "IOMMU_IOAS_MAP",
                                        "IOMMU_IOAS_UNMAP", "IOMMU_IOAS_COPY", "IOMMU_TEST_CMD op 1" })
        {
            Assert.That(ok.GetValueOrDefault(kind), Is.GreaterThan(0), $"{kind} never succeeds\n{table}");
            Assert.That(failed.GetValueOrDefault(kind), Is.GreaterThan(0), $"{kind} never fails\n{table}");
        }
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

    private static string Describe(IoctlStep step) =>
        step.Command == "IOMMU_TEST_CMD" && step.Arg?["op"] is JsonValue op ? $"IOMMU_TEST_CMD op {op}" : step.Command;
}
