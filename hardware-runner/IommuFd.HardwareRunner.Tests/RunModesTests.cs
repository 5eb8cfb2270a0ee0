using IommuFd.HardwareRunner.Hosting;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>The modes and backends as the settings write them: the same words, in the order help and
/// errors list them, and nothing else parses.</summary>
public sealed class RunModesTests
{
    [Test]
    public void WordsAreTheSettingsWordsInTheirOrder()
    {
        Assert.That(RunModes.Words<VmMode>(), Is.EqualTo(new[] { "auto", "none", "intel", "amd", "virtio", "arm64-smmuv3" }));
        Assert.That(RunModes.Words<LavaMode>(), Is.EqualTo(new[] { "auto", "off" }));
        Assert.That(RunModes.Words<RunnerBackend>(), Is.EqualTo(new[] { "engine", "kernel" }));
    }

    [Test]
    public void OnlyTheWordsParse()
    {
        Assert.That(RunModes.Parse<VmMode>("virtio"), Is.EqualTo(VmMode.Virtio));
        Assert.That(RunModes.Parse<VmMode>("arm64-smmuv3"), Is.EqualTo(VmMode.Arm64Smmuv3));
        Assert.That(new RunnerOptions { Backends = ["kernel", "engine", "kernel"] }.BackendKinds, Is.EqualTo(new[] { RunnerBackend.Kernel, RunnerBackend.Engine }));
        Assert.Throws<ArgumentException>(() => RunModes.Parse<VmMode>("Virtio"));
        Assert.Throws<ArgumentException>(() => RunModes.Parse<VmMode>("4"));
    }
}
