using IommuFd.Interop;

namespace IommuFd.TestVm.Tests;

/// <summary>The arm64-smmuv3 machine end to end: the arm64 test kernel boots from the Debian userland,
/// the SMMUv3 registers, both edu devices bind to vfio-pci behind it with no unsafe-interrupt
/// override. Skips with the reason when the arm64 kernel or userland is not built, unless
/// IOMMUFD_ARCH_TIERS names arm64 (then it fails).</summary>
[TestFixture]
[Category("Vm")]
public sealed class Arm64VmRunTests
{
    private static void Missing(string message)
    {
        if ((Environment.GetEnvironmentVariable(EnvironmentVariables.ArchTiers) ?? "").Split(' ').Contains("arm64"))
            Assert.Fail(message + $" ({EnvironmentVariables.ArchTiers} names arm64)");
        Assert.Ignore(message);
    }

    [Test]
    public async Task Edu_devices_bind_to_vfio_pci_behind_the_smmuv3()
    {
        TestKernelLookup kernel = TestKernel.Locate(RequiredKernel.Series(), GuestArchitecture.Arm64);
        if (!kernel.Found)
            Missing($"no arm64 test kernel: {kernel.Explanation}");
        var (root, why) = GuestUserland.LocateArm64();
        if (root is null)
            Missing(why);
        var options = new VmOptions
        {
            KernelImage = kernel.ImagePath!,
            GuestRoot = root,
            OutDirectory = RequiredKernel.NewOutDirectory("arm64"),
            Iommu = IommuModel.Smmuv3,
            EduDevices = 2,
            BootTimeout = TimeSpan.FromSeconds(120),
            RunTimeout = TimeSpan.FromMinutes(4),
        };
        var command = new GuestCommand(
            "ls /sys/class/iommu > \"$IOMMUFD_GUEST_OUT/iommus.txt\"; ls /dev/vfio/devices > \"$IOMMUFD_GUEST_OUT/cdevs.txt\"; " +
            "uname -m > \"$IOMMUFD_GUEST_OUT/machine.txt\"; test -c /dev/iommu && echo \"$IOMMUFD_GUEST_IOMMU $IOMMUFD_GUEST_VFIO_DEVICES\"");

        var result = await VmLauncher.RunAsync(options, command);

        Assert.That(result.Outcome, Is.EqualTo(VmOutcome.Completed), result.Describe());
        Assert.That(result.ExitCode, Is.Zero, result.Console);
        string Read(string name) => File.ReadAllText(Path.Combine(result.OutDirectory, name));
        Assert.Multiple(() =>
        {
            Assert.That(Read("machine.txt").Trim(), Is.EqualTo("aarch64"));
            Assert.That(Read("iommus.txt"), Does.Contain("smmu3."), "the SMMUv3 registers as smmu3.<address> (beside the selftest's mock IOMMU)");
            Assert.That(Read("cdevs.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EquivalentTo(new[] { "vfio0", "vfio1" }));
            Assert.That(result.Dmesg, Does.Contain("arm-smmu-v3"));
            Assert.That(result.Console, Does.Contain("arm64-smmuv3 "));
        });
        TestContext.Out.WriteLine($"boot {result.BootTime?.TotalSeconds:0.0} s, whole run {result.Elapsed.TotalSeconds:0.0} s");
        Assert.That(QemuGone.WithinAsync(result.VmName).GetAwaiter().GetResult(), Is.True, $"QEMU processes of {result.VmName} still running");
    }
}
