using IommuFd.HardwareRunner.Adapters;
using IommuFd.HardwareRunner.Hosting;

namespace IommuFd.HardwareRunner.Tests;

public sealed class BackendProviderTests
{
    [Test]
    public void EngineIsAlwaysAvailableAndFreshPerCase()
    {
        var provider = new EngineProvider();
        using var a = provider.Create();
        using var b = provider.Create();

        Assert.That(provider.Unavailable(), Is.Null);
        Assert.That(a.Name, Is.EqualTo("engine"));
        Assert.That(a, Is.Not.SameAs(b));
    }

    [Test]
    public void KernelIsUnavailableWithoutTheDeviceNode()
    {
        Assert.That(new KernelProvider("/nonexistent/iommu").Unavailable(), Does.StartWith("no /nonexistent/iommu"));
    }

    [Test]
    public void KernelAvailabilityOnThisHostFollowsDevIommu()
    {
        string? why = new KernelProvider().Unavailable();
        if (File.Exists("/dev/iommu"))
            Assert.That(why, Is.Null.Or.Contains("does not open"));
        else
            Assert.That(why, Does.StartWith("no /dev/iommu"));
    }

    [Test]
    public void ProductionWiringHasBothBackends()
    {
        RunnerComponents components = ProductionComponents.Create();
        Assert.That(components.Backends.Keys, Is.EquivalentTo(new[] { "engine", "kernel" }));
        Assert.That(components.Backends.Values.Select(p => p.Name), Is.EquivalentTo(new[] { "engine", "kernel" }));
    }
}
