using IommuFd.Conformance.Random;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Tests.Library;

public sealed class SequenceGeneratorTests
{
    [Test]
    public void SameSeedSameTraces()
    {
        var a = new SequenceGenerator(42);
        var b = new SequenceGenerator(42);
        for (int i = 0; i < 20; i++)
            Assert.That(a.Next(30).ToJsonLines(), Is.EqualTo(b.Next(30).ToJsonLines()));
        Assert.That(new SequenceGenerator(43).Next(30).ToJsonLines(), Is.Not.EqualTo(new SequenceGenerator(42).Next(30).ToJsonLines()));
    }

    [Test]
    public void GeneratedTracesAreWellFormedAndCoverTheScope()
    {
        var generator = new SequenceGenerator(7);
        var commands = new HashSet<string>();
        for (int i = 0; i < 200; i++)
        {
            Trace trace = generator.Next(30);
            Assert.That(trace.Steps, Has.Count.GreaterThanOrEqualTo(30));
            Trace parsed = Trace.Parse(trace.Name, trace.ToJsonLines());
            Assert.That(parsed.ToJsonLines(), Is.EqualTo(trace.ToJsonLines()));
            // Every reference points backwards at an ioctl.
            var deps = TraceEditor.Dependencies(trace);
            for (int s = 0; s < deps.Count; s++)
                Assert.That(deps[s].All(d => d < s), Is.True);
            commands.UnionWith(trace.Steps.OfType<IoctlStep>().Select(s => s.Command));
        }
        Assert.That(commands, Is.SupersetOf(new[]
        {
            "IOMMU_IOAS_ALLOC", "IOMMU_IOAS_MAP", "IOMMU_IOAS_UNMAP", "IOMMU_IOAS_COPY", "IOMMU_IOAS_IOVA_RANGES",
            "IOMMU_IOAS_ALLOW_IOVAS", "IOMMU_OPTION", "IOMMU_DESTROY", "IOMMU_VFIO_IOAS", "VFIO_GET_API_VERSION",
            "VFIO_CHECK_EXTENSION", "VFIO_SET_IOMMU", "VFIO_IOMMU_MAP_DMA", "VFIO_IOMMU_UNMAP_DMA", "VFIO_IOMMU_GET_INFO",
        }));
    }
}
