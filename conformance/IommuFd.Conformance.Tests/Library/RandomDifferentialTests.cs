using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Diff;
using IommuFd.Conformance.Random;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>The whole random pipeline (generate, diff, shrink, save, report) against an engine with
/// a planted bug, so it is proven on every machine and not only in the kernel VM.</summary>
public sealed class RandomDifferentialTests
{
    [Test]
    public void FindsShrinksSavesAndReportsAPlantedDivergence()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"regressions-{Guid.NewGuid():N}");
        try
        {
            using var good = TestKernelEngine.Create();
            using var bad = new HugePagesBug(TestKernelEngine.Create());
            RandomDifferentialResult result = new RandomDifferential(good, bad) { NameA = "engine", NameB = "buggy" }
                .Run(new SequenceGenerator(5, TestKernelEngine.Options().Kernel, SequenceScope.NoDevices), sequences: 100, steps: 30, saveDirectory: folder, maxDivergences: 1);

            Assert.That(result.Report.Entries, Has.Count.EqualTo(1));
            DivergenceEntry entry = result.Report.Entries[0];
            Trace saved = Trace.Load(entry.SavedAs!);
            // The bug needs an IOAS and one HUGE_PAGES GET (plus buffers the generator starts with at most).
            Assert.That(saved.Steps.OfType<IoctlStep>().Count(), Is.LessThanOrEqualTo(3), saved.ToJsonLines());
            Assert.That(saved.Steps[entry.Divergence.Step], Is.TypeOf<IoctlStep>().And.Property("Command").EqualTo("IOMMU_OPTION"));
            Assert.That(entry.Divergence.Differences.Select(d => d.Path), Is.EqualTo(new[] { "arg.val64" }));
            Assert.That(result.Report.ToText(), Does.Contain("* arg.val64"));
            Assert.That(TraceDiff.Compare(TraceReplayer.Replay(good, saved), TraceReplayer.Replay(bad, saved)), Is.Not.Null,
                        "the saved trace reproduces the divergence");
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void IdenticalBackendsNeverDiverge()
    {
        using var a = TestKernelEngine.Create();
        using var b = TestKernelEngine.Create();
        RandomDifferentialResult result = new RandomDifferential(a, b).Run(new SequenceGenerator(9, TestKernelEngine.Options().Kernel, SequenceScope.NoDevices), sequences: 30, steps: 30);
        Assert.That(result.Report.IsEmpty, Is.True, result.Report.ToText());
        Assert.That(result.Sequences, Is.EqualTo(30));
    }

    /// <summary>The engine, except that IOMMU_OPTION GET of HUGE_PAGES reports the opposite.</summary>
    private sealed unsafe class HugePagesBug(IIommuBackend inner) : ForwardingBackend(inner)
    {
        public override string Name => "buggy";

        public override void Dispose() => Inner.Dispose();

        public override int Ioctl(int fd, uint request, void* argument)
        {
            int rc = Inner.Ioctl(fd, request, argument);
            var bytes = (byte*)argument;
            bool hugePagesGet = request == IommuFd.Interop.Iommufd.IOMMU_OPTION && rc == 0 &&
                                *(uint*)(bytes + 4) == 1 && *(ushort*)(bytes + 8) == 1;
            if (hugePagesGet)
                *(ulong*)(bytes + 16) ^= 1;
            return rc;
        }
    }
}
