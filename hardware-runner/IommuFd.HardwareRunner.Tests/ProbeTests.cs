using IommuFd.HardwareRunner.Hosting;
using IommuFd.HardwareRunner.Probe;
using IommuFd.HardwareRunner.Tests.Support;

namespace IommuFd.HardwareRunner.Tests;

public sealed class ProbeTests
{
    [Test]
    public void ProbeOnThisHostRunsAndSaysWhetherIommufdIsThere()
    {
        HostFacts facts = new HostProbe(HostPaths.Real()).Probe();
        string table = HostFactsFormatter.Table(facts);

        Assert.That(facts.KernelRelease, Is.Not.Empty);
        Assert.That(facts.Iommufd.Present, Is.EqualTo(File.Exists("/dev/iommu")));
        if (!File.Exists("/dev/iommu"))
        {
            Assert.That(facts.Iommufd.Detail, Does.StartWith("no /dev/iommu"));
            Assert.That(table, Does.Match(@"iommufd \(/dev/iommu\)\s+no: no /dev/iommu"));
        }
        Assert.That(table, Does.Contain("qemu").And.Contain("test kernel"));
    }

    [Test]
    public async Task ProbeVerbPrintsJsonAndExitsZero()
    {
        var output = new StringWriter();
        int exit = await RunnerHost.RunAsync(new VerbRequest("probe", "probe --json") { Json = true }, new Dictionary<string, string?>(),
            new RunnerComponents(null, new Dictionary<string, Suites.IBackendProvider>(), null), new ConsoleStreams(output, new StringWriter(), false));

        Assert.That(exit, Is.Zero);
        using var doc = System.Text.Json.JsonDocument.Parse(output.ToString());
        Assert.That(doc.RootElement.GetProperty("iommufd").GetProperty("present").GetBoolean(), Is.EqualTo(File.Exists("/dev/iommu")));
    }

    [Test]
    public void FakeTreeWithIommuGroupsAndVfioDevicesIsReported()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.Combine("dev/vfio/devices"));
        File.WriteAllText(root.Combine("dev/iommu"), "");
        Directory.CreateDirectory(root.Combine("sys/class/iommu/dmar0"));
        Directory.CreateDirectory(root.Combine("sys/kernel/iommu_groups/3/devices/0000:00:04.0"));
        Directory.CreateDirectory(root.Combine("sys/kernel/iommu_groups/10/devices/0000:00:05.0"));
        Directory.CreateDirectory(root.Combine("sys/bus/pci/drivers/vfio-pci/0000:00:04.0"));
        Directory.CreateDirectory(root.Combine("sys/bus/pci/drivers/vfio-pci/module"));
        Directory.CreateDirectory(root.Combine("proc/sys/kernel"));
        File.WriteAllText(root.Combine("proc/sys/kernel/osrelease"), "6.12.117\n");
        Directory.CreateDirectory(root.Combine("boot"));
        File.WriteAllText(root.Combine("boot/config-6.12.117"), "CONFIG_IOMMUFD=y\nCONFIG_IOMMUFD_TEST=y\nCONFIG_VFIO_DEVICE_CDEV=y\n");
        Directory.CreateDirectory(root.Combine("cache/kernel/abc"));
        File.WriteAllText(root.Combine("cache/kernel/abc/bzImage"), "");
        File.WriteAllText(root.Combine("cache/kernel/abc/kernel.json"), "{\"kernelRelease\":\"6.12.117-test\",\"configSha256\":\"ff\"}");

        var paths = new HostPaths(root.Combine("dev"), root.Combine("sys"), root.Combine("proc"), root.Combine("boot"), root.Combine("cache"));
        HostFacts facts = new HostProbe(paths, qemuBinary: "definitely-not-qemu").Probe();

        Assert.That(facts.KernelRelease, Is.EqualTo("6.12.117"));
        Assert.That((facts.Iommufd.Present, facts.IommufdTest.Present, facts.VfioCdev.Present), Is.EqualTo((true, true, true)));
        Assert.That(facts.IommuModels, Is.EqualTo(new[] { "dmar0 (Intel VT-d)" }));
        Assert.That(facts.IommuGroups.Select(g => g.Id), Is.EqualTo(new[] { "3", "10" }));
        Assert.That(facts.VfioPciDevices, Is.EqualTo(new[] { "0000:00:04.0" }));
        Assert.That(facts.Qemu.Present, Is.False);
        Assert.That(facts.TestKernel.Detail, Does.Contain("6.12.117-test"));
    }

    [TestCase("Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)", "6.1.76-1")]
    [TestCase("Linux version 6.12.9+bpo-amd64 (debian-kernel@lists.debian.org) (x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.12.9-1~bpo12+1 (2025-01-19)", "6.12.9-1~bpo12+1")]
    [TestCase("Linux version 6.18.44-fc-v1272 (builder@sandboxing) (gcc (GCC) 15.3.0, GNU ld (GNU Binutils) 2.46) #1 SMP PREEMPT_DYNAMIC @0", null)]
    [TestCase("Linux version 6.12.118 (root@host) (gcc (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Sat Dec  6 10:00:00 UTC 2025", null)]
    public void TheDebianPackageVersionIsTakenFromTheBannerNotTheCompiler(string banner, string? version) =>
        Assert.That(HostKernel.DebianVersion(banner), Is.EqualTo(version));

    [Test]
    public void TheHostKernelIsNamedByItsReleaseBannerAndPackage()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.Combine("proc/sys/kernel"));
        File.WriteAllText(root.Combine("proc/sys/kernel/osrelease"), "6.1.0-18-amd64\n");
        File.WriteAllText(root.Combine("proc/version"), "Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)\n");
        Directory.CreateDirectory(root.Combine("boot"));
        File.WriteAllText(root.Combine("boot/config-6.1.0-18-amd64"), "CONFIG_IOMMUFD=y\n");

        Model.KernelIdentity kernel = HostKernel.Read(new HostPaths(root.Combine("dev"), root.Combine("sys"), root.Combine("proc"), root.Combine("boot"), root.Combine("cache")));

        Assert.That((kernel.Release, kernel.SourcePackage, kernel.SourceVersion), Is.EqualTo(("6.1.0-18-amd64", "linux", "6.1.76-1")));
        Assert.That(kernel.Banner, Does.StartWith("Linux version 6.1.0-18-amd64"));
        Assert.That(kernel.ConfigHash, Has.Length.EqualTo(64));
    }

    [Test]
    public void TheTestKernelSaysItsSeriesSourceAndRelease()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.Combine("k"));
        File.WriteAllText(root.Combine("k/bzImage"), "");
        File.WriteAllText(root.Combine("k/kernel.json"),
            "{\"series\":\"7.3\",\"sourcePackage\":\"linux-source-7.3\",\"sourceVersion\":\"7.3.4-1~bpo13+1\",\"kernelRelease\":\"7.3.4\",\"configSha256\":\"ab\"}");
        Directory.CreateDirectory(root.Combine("bare"));
        File.WriteAllText(root.Combine("bare/bzImage"), "");

        TestKernelInfo kernel = TestKernelInfo.FromImage(root.Combine("k/bzImage"));
        TestKernelInfo bare = TestKernelInfo.FromImage(root.Combine("bare/bzImage"));

        Assert.That((kernel.Series, kernel.SourcePackage, kernel.SourceVersion, kernel.Release, kernel.ConfigHash),
            Is.EqualTo(("7.3", "linux-source-7.3", "7.3.4-1~bpo13+1", "7.3.4", "ab")));
        Assert.That((bare.Series, bare.SourceVersion, bare.Release, bare.ConfigHash), Is.EqualTo(((string?)null, (string?)null, "unknown", "bare")),
            "without kernel.json nothing is guessed");
    }
}
