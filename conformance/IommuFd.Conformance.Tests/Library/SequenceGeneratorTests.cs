using System.Text.Json.Nodes;
using IommuFd.Conformance.Diff;
using IommuFd.Conformance.Random;
using IommuFd.Engine;
using static IommuFd.Conformance.Random.SequenceScope;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>The random generator in both scopes: deterministic, well-formed, covering its scope, leaving out
/// what the modelled kernel lacks, and staying inside what the engine models (no ENOSYS), with enough valid
/// calls that devices, domains and checks really happen. Runs on the engine configured as the
/// virtio-iommu VM.</summary>
public sealed class SequenceGeneratorTests
{
    private static SequenceGenerator Generator(int seed, SequenceScope scope, KernelRelease? kernel = null) =>
        new(seed, kernel ?? KernelRelease.Lts, scope);

    [TestCase(NoDevices, 30)]
    [TestCase(MockDevices, 40)]
    public void SameSeedSameTraces(SequenceScope scope, int steps)
    {
        SequenceGenerator a = Generator(42, scope), b = Generator(42, scope);
        for (int i = 0; i < 20; i++)
            Assert.That(a.Next(steps).ToJsonLines(), Is.EqualTo(b.Next(steps).ToJsonLines()));
        Assert.That(Generator(43, scope).Next(steps).ToJsonLines(), Is.Not.EqualTo(Generator(42, scope).Next(steps).ToJsonLines()));
    }

    /// <summary>Without devices: the iommufd fd's own ioctls and fds only, never IOMMU_TEST_CMD (a kernel
    /// without the selftest answers it ENOTTY), every one of them reached.</summary>
    [Test]
    public void WithoutDevicesTracesAreWellFormedAndNeedNoSelftest()
    {
        SequenceGenerator generator = Generator(7, NoDevices);
        var calls = new HashSet<string>();
        for (int i = 0; i < 200; i++)
        {
            Trace trace = generator.Next(30);
            AssertWellFormed(trace);
            Assert.That(trace.Name, Does.StartWith("random-7-"));
            calls.UnionWith(trace.Steps.Select(OpCoverage.Kind).OfType<string>());
        }
        Assert.That(calls.Where(c => c.StartsWith("IOMMU_TEST_CMD", StringComparison.Ordinal)), Is.Empty);
        Assert.That(calls, Is.SupersetOf(new[]
        {
            "IOMMU_IOAS_ALLOC", "IOMMU_IOAS_MAP", "IOMMU_IOAS_UNMAP", "IOMMU_IOAS_COPY", "IOMMU_IOAS_IOVA_RANGES",
            "IOMMU_IOAS_ALLOW_IOVAS", "IOMMU_OPTION", "IOMMU_DESTROY", "IOMMU_VFIO_IOAS", "VFIO_CHECK_EXTENSION",
            "VFIO_SET_IOMMU", "VFIO_IOMMU_MAP_DMA", "VFIO_IOMMU_UNMAP_DMA", "VFIO_IOMMU_GET_INFO", "close",
        }));
    }

    /// <summary>The device-free families are a subset of the one table: those the device scope also runs.</summary>
    [Test]
    public void WithoutDevicesTheFamiliesAreASubsetOfTheTable()
    {
        IReadOnlyList<string> all = Generator(1, MockDevices).FamilyNames, free = Generator(1, NoDevices).FamilyNames;
        Assert.That(free, Is.SubsetOf(all));
        Assert.That(free, Is.EqualTo(new[]
        {
            "IoasAlloc", "Destroy", "Map", "Unmap", "Copy", "IovaRanges", "AllowIovas", "Option", "VfioCompat", "WrongSize", "OpenOrClose",
        }));
    }

    /// <summary>7.3 removed MOCK_FLAGS_DEVICE_HUGE_IOVA: on a 7.3 model the HugeDirty family is gone and no
    /// MOCK_DOMAIN_FLAGS asks for bit 1; on 6.12 both are written.</summary>
    [Test]
    public void FlagsTheKernelLacksAreNotGenerated()
    {
        Assert.That(Generator(1, MockDevices, KernelRelease.Lts).FamilyNames, Does.Contain("HugeDirty"));
        Assert.That(Generator(1, MockDevices, KernelRelease.Stable).FamilyNames, Does.Not.Contain("HugeDirty"));
        Assert.That(Generator(1, MockDevices, new KernelRelease(7, 4, 0)).FamilyNames, Does.Not.Contain("HugeDirty"), "a newer kernel gets the newest model");
        Assert.That(DeviceFlagsWritten(KernelRelease.Lts).Any(f => (f & 2) != 0), Is.True);
        Assert.That(DeviceFlagsWritten(KernelRelease.Stable).Where(f => (f & 2) != 0), Is.Empty);
    }

    private static List<uint> DeviceFlagsWritten(KernelRelease kernel)
    {
        SequenceGenerator generator = Generator(3, MockDevices, kernel);
        var flags = new List<uint>();
        for (int i = 0; i < 200; i++)
            flags.AddRange(generator.Next(40).Steps.OfType<IoctlStep>()
                .Select(s => s.Arg?["mock_domain_flags"]?["dev_flags"]).OfType<JsonNode>().Select(n => n.GetValue<uint>()));
        return flags;
    }

    private static void AssertWellFormed(Trace trace)
    {
        Trace parsed = Trace.Parse(trace.Name, trace.ToJsonLines());
        Assert.That(parsed.ToJsonLines(), Is.EqualTo(trace.ToJsonLines()));
        // Every reference points backwards at an ioctl.
        var deps = TraceEditor.Dependencies(trace);
        for (int s = 0; s < deps.Count; s++)
            Assert.That(deps[s].All(d => d < s), Is.True);
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
    public void WithDevicesTracesAreWellFormedAndCoverTheScope()
    {
        SequenceGenerator generator = Generator(7, MockDevices);
        var calls = new HashSet<string>();
        for (int i = 0; i < 200; i++)
        {
            Trace trace = generator.Next(40);
            AssertWellFormed(trace);
            calls.UnionWith(trace.Steps.Select(OpCoverage.Kind).OfType<string>());
        }
        Assert.That(calls, Is.SupersetOf(Scope));
    }

    private static IEnumerable<KernelRelease> Models => KernelRelease.Modelled;

    /// <summary>Per call kind, how many succeeded in 200 sequences on the engine modelling each kernel: every
    /// kind must succeed sometimes and fail sometimes (its error paths), and nothing may answer ENOSYS (not
    /// modelled).</summary>
    [TestCaseSource(nameof(Models))]
    public void WithDevicesSequencesStayInsideTheModelAndMostlyWork(KernelRelease kernel)
    {
        using var engine = new EngineBackend(TestKernelEngine.MockDomainOptions() with { Release = kernel });
        SequenceGenerator generator = Generator(11, MockDevices, kernel);
        var coverage = new OpCoverage();
        for (int i = 0; i < 200; i++)
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

    /// <summary>The vIOMMU family exists from 7.3 only (6.12's sequences do not change), and on 7.3 its
    /// allocations both succeed and fail, and vEVENTs are read.</summary>
    [Test]
    public void TheViommuFamilyIsForKernelsWithViommus()
    {
        Assert.That(Generator(1, MockDevices, KernelRelease.Lts).FamilyNames, Does.Not.Contain("Viommu"));
        Assert.That(Generator(1, MockDevices, KernelRelease.Stable).FamilyNames, Does.Contain("Viommu"));
        using var engine = new EngineBackend(TestKernelEngine.MockDomainOptions() with { Release = KernelRelease.Stable });
        SequenceGenerator generator = Generator(13, MockDevices, KernelRelease.Stable);
        var coverage = new OpCoverage();
        int eventsRead = 0;
        for (int i = 0; i < 60; i++)
        {
            Trace trace = generator.Next(60);
            IReadOnlyList<StepResult> results = TraceReplayer.Replay(engine, trace);
            coverage.Add(trace, results);
            eventsRead += Enumerable.Range(0, trace.Steps.Count)
                .Count(s => trace.Steps[s] is FdReadStep && results[s].Rc >= 12 && results[s].Rc % 40 != 0); // fault records are 40 bytes
        }
        string table = coverage.ToTable();
        foreach (string kind in new[] { "IOMMU_VIOMMU_ALLOC", "IOMMU_VDEVICE_ALLOC", "IOMMU_VEVENTQ_ALLOC" })
        {
            Assert.That(coverage.Counts.GetValueOrDefault(kind).Ok, Is.GreaterThan(0), $"{kind} never succeeds\n{table}");
            Assert.That(coverage.Counts.GetValueOrDefault(kind).Failed, Is.GreaterThan(0), $"{kind} never fails\n{table}");
        }
        Assert.That(eventsRead, Is.GreaterThan(0), "no vEVENT was ever read");
    }

    /// <summary>7.3's file families (MapFile, ChangeProcess) only on a 7.3 model; there MAP_FILE and
    /// CHANGE_PROCESS both succeed and fail, and nothing answers ENOSYS.</summary>
    [Test]
    public void FileMappingFamiliesFrom73()
    {
        Assert.That(Generator(1, NoDevices, KernelRelease.Lts).FamilyNames, Has.None.AnyOf("MapFile", "ChangeProcess"));
        Assert.That(Generator(1, NoDevices, KernelRelease.Stable).FamilyNames, Does.Contain("MapFile").And.Contain("ChangeProcess"));
        using var engine = new EngineBackend(TestKernelEngine.MockDomainOptions() with { Release = KernelRelease.Stable });
        SequenceGenerator generator = Generator(13, MockDevices, KernelRelease.Stable);
        var coverage = new OpCoverage();
        for (int i = 0; i < 60; i++)
        {
            Trace trace = generator.Next(40);
            AssertWellFormed(trace);
            IReadOnlyList<StepResult> results = TraceReplayer.Replay(engine, trace);
            Assert.That(results.Select(r => r.Errno), Has.None.EqualTo(38), trace.ToJsonLines());
            coverage.Add(trace, results);
        }
        foreach (string kind in new[] { "IOMMU_IOAS_MAP_FILE", "IOMMU_IOAS_CHANGE_PROCESS" })
        {
            Assert.That(coverage.Counts.GetValueOrDefault(kind).Ok, Is.GreaterThan(0), $"{kind} never succeeds\n{coverage.ToTable()}");
            Assert.That(coverage.Counts.GetValueOrDefault(kind).Failed, Is.GreaterThan(0), $"{kind} never fails\n{coverage.ToTable()}");
        }
    }

    [Test]
    public void IdenticalEnginesNeverDiverge()
    {
        using var a = new EngineBackend(TestKernelEngine.MockDomainOptions());
        using var b = new EngineBackend(TestKernelEngine.MockDomainOptions());
        RandomDifferentialResult result = new RandomDifferential(a, b).Run(Generator(9, MockDevices), sequences: 30, steps: 40);
        Assert.That(result.Report.IsEmpty, Is.True, result.Report.ToText());
        Assert.That(result.Sequences, Is.EqualTo(30));
        Assert.That(result.Seed, Is.EqualTo(9));
    }
}
