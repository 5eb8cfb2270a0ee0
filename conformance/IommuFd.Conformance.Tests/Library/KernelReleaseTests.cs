using IommuFd.Engine;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>Which kernel the engine answers as, read from a release string.</summary>
public sealed class KernelReleaseTests
{
    [TestCase("6.12.118", 6, 12, 118)]
    [TestCase("6.12.117+deb12-amd64\n", 6, 12, 117)]
    [TestCase("6.12.0-rc3", 6, 12, 0)]
    [TestCase("6.12", 6, 12, 0)]
    [TestCase("7.3.4", 7, 3, 4)]
    [TestCase("7.3.4+bpo-amd64", 7, 3, 4)]
    public void ReleaseStrings(string text, int major, int minor, int sublevel) =>
        Assert.That(KernelRelease.TryParse(text), Is.EqualTo(new KernelRelease(major, minor, sublevel)));

    [TestCase("unknown")]
    [TestCase("7")]
    [TestCase("")]
    public void NotARelease(string text)
    {
        Assert.That(KernelRelease.TryParse(text), Is.Null);
        Assert.That(() => KernelRelease.Parse(text), Throws.TypeOf<FormatException>().With.Message.Contains(text));
    }

    [TestCase("6.12.118", "6.12.118")]
    [TestCase("6.12.117", "6.12.118")]
    [TestCase("6.6.60", "6.12.118")]   // older than every model: the oldest
    [TestCase("6.13.2", "6.12.118")]
    [TestCase("7.2.9", "6.12.118")]
    [TestCase("7.3.0", "7.3.4")]
    [TestCase("7.3.4", "7.3.4")]
    [TestCase("7.9.1", "7.3.4")]       // newer than every model: the newest
    public void TheModelAnsweringARelease(string release, string model) =>
        Assert.That(KernelRelease.Parse(release).Model, Is.EqualTo(KernelRelease.Parse(model)));
}
