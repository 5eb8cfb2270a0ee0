namespace IommuFd.Conformance.Tests.Library;

/// <summary>Which 6.12 stable update the engine answers as, read from the running kernel's release.</summary>
public sealed class StableSublevelTests
{
    [TestCase("6.12.118", 118)]
    [TestCase("6.12.117+deb12-amd64\n", 117)]
    [TestCase("6.12.0-rc3", 0)]
    [TestCase("6.12", 0)]
    [TestCase("6.13.2", int.MaxValue)]
    [TestCase("7.0.1", int.MaxValue)]
    [TestCase("6.6.60", 0)]
    public void ReleaseStrings(string release, int sublevel) =>
        Assert.That(TestKernelEngine.StableSublevelOf(release), Is.EqualTo(sublevel));

    [Test]
    public void AnUnreadableReleaseIsTheEnginesCurrentUpdate() =>
        Assert.That(TestKernelEngine.StableSublevelOf("unknown"), Is.EqualTo(Engine.EngineOptions.CurrentStableSublevel));
}
