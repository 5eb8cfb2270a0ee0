using IommuFd.Conformance.Tests.Suite;
using IommuFd.Engine;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>The viommu-* traces on the engine answering as 7.3, on any host (the suite's
/// <see cref="ViommuTests"/> replays them only where the kernel is 7.3): the same checks.</summary>
public sealed class ViommuEngineTests
{
    private static ReplayResults Replay(string name)
    {
        using var engine = new EngineBackend(TestKernelEngine.MockDomainOptions() with { Release = KernelRelease.Stable });
        string variant = name[(name.LastIndexOf('-') + 1)..];
        return TraceReplayer.Replay(engine, TraceFiles.Load($"{ViommuChecks.Folder(variant)}/viommu-{name}"));
    }

    [TestCase("no_viommu")]
    [TestCase("mock_viommu")]
    public void AutoDestroy(string variant) => ViommuChecks.AutoDestroy(Replay($"auto-destroy-{variant}"));

    [TestCase("no_viommu")]
    [TestCase("mock_viommu")]
    public void NegativeTests(string variant) => ViommuChecks.NegativeTests(Replay($"negative-tests-{variant}"), variant);

    [Test]
    public void AllocNestedIopf() => ViommuChecks.AllocNestedIopf(Replay("alloc-nested-iopf-mock_viommu"));

    [Test]
    public void AllocWithData() => ViommuChecks.AllocWithData(Replay("alloc-with-data-mock_viommu"));

    [TestCase("no_viommu")]
    [TestCase("mock_viommu")]
    public void VdeviceAlloc(string variant) => ViommuChecks.VdeviceAlloc(Replay($"vdevice-alloc-{variant}"), variant);

    [Test]
    public void VdeviceCache() => ViommuChecks.VdeviceCache(Replay("vdevice-cache-mock_viommu"));

    [Test]
    public void HwQueue() => ViommuChecks.HwQueue(Replay("hw-queue-mock_viommu"));

    [Test]
    public void VdeviceTombstone() => ViommuChecks.VdeviceTombstone(Replay("vdevice-tombstone-mock_viommu"));
}
