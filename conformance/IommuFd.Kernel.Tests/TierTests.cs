using IommuFd.Testing;

namespace IommuFd.Kernel.Tests;

/// <summary>The kernel tier reaches the real kernel: /dev/iommu, the edu devices, the kernel log.</summary>
[TestFixture]
[Category(KernelTier.Category)]
public sealed class TierTests
{
    [Test]
    public void Dev_iommu_opens_and_closes()
    {
        using var backend = KernelTier.Backend();

        int fd = backend.Open("/dev/iommu");

        Assert.That(fd, Is.GreaterThanOrEqualTo(0), $"open(/dev/iommu) = {fd}");
        Assert.That(backend.Close(fd), Is.Zero);
        Assert.That(backend.Close(fd), Is.EqualTo(-9), "closing twice is EBADF");
    }

    [Test]
    public void The_vm_binds_two_edu_devices_to_vfio_pci()
    {
        using var backend = KernelTier.Backend();

        var devices = KernelTier.EduVfioDevices();

        Assert.That(devices, Has.Count.EqualTo(2));
        foreach (string cdev in devices)
        {
            int fd = backend.Open(cdev);
            Assert.That(fd, Is.GreaterThanOrEqualTo(0), $"open({cdev}) = {fd}");
            backend.Close(fd);
        }
    }

    [Test]
    public void The_kernel_log_is_readable_and_names_the_iommu()
    {
        using var backend = KernelTier.Backend();

        var log = KernelLog.Lines();

        // The log is the running kernel's: its banner names the release uname -r gives (6.12.y or 7.3.y, by IOMMUFD_KERNEL_SERIES).
        string release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        Assert.That(log, Has.Some.Contains($"Linux version {release} "));
        Assert.That(log, Has.Some.Contains("DMAR: IOMMU enabled").Or.Some.Contains("AMD-Vi").Or.Some.Contains("virtio-iommu"));
    }
}
