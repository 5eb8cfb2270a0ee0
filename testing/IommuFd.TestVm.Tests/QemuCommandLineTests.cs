namespace IommuFd.TestVm.Tests;

[TestFixture]
public sealed class QemuCommandLineTests
{
    private static VmOptions Options(IommuModel model) => new() { KernelImage = "/k/bzImage", OutDirectory = "/o", Iommu = model, EduDevices = 2 };

    [TestCase(IommuModel.Intel, "intel-iommu,intremap=on,caching-mode=on")]
    [TestCase(IommuModel.Amd, "amd-iommu")]
    [TestCase(IommuModel.Virtio, "virtio-iommu-pci")]
    public void The_iommu_comes_before_the_edu_devices(IommuModel model, string device)
    {
        var args = QemuCommandLine.Build(Options(model), VmAccelerator.Tcg, "/o/init.sh", "/o", "n").ToList();
        int iommu = args.IndexOf(device);
        int firstEdu = args.IndexOf("edu");
        Assert.Multiple(() =>
        {
            Assert.That(iommu, Is.GreaterThan(0));
            Assert.That(firstEdu, Is.GreaterThan(iommu));
            Assert.That(args.Count(a => a == "edu"), Is.EqualTo(2));
        });
    }

    [Test]
    public void Intel_gets_a_split_irqchip_for_interrupt_remapping()
    {
        var args = QemuCommandLine.Build(Options(IommuModel.Intel), VmAccelerator.Tcg, "/o/init.sh", "/o", "n");
        Assert.That(args, Does.Contain("q35,kernel-irqchip=split"));
        Assert.That(args, Does.Contain("tcg,thread=multi"));
    }

    [Test]
    public void No_iommu_means_no_iommu_device()
    {
        var args = QemuCommandLine.Build(Options(IommuModel.None), VmAccelerator.Tcg, "/o/init.sh", "/o", "n");
        Assert.That(args.Where(a => a.Contains("iommu", StringComparison.Ordinal) && !a.Contains("console", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void Commas_in_the_out_path_are_escaped_for_qemu()
    {
        var args = QemuCommandLine.Build(Options(IommuModel.Intel), VmAccelerator.Tcg, "/o/init.sh", "/a,b", "n");
        Assert.That(args, Does.Contain("local,id=outfs,path=/a,,b,security_model=none"));
    }

    [Test]
    public void An_init_path_with_spaces_is_rejected()
    {
        Assert.That(() => QemuCommandLine.KernelCommandLine(Options(IommuModel.Intel), "/a b/init.sh"), Throws.ArgumentException);
    }

    [Test]
    public void Huge_pages_are_reserved_on_the_kernel_command_line_only_when_asked()
    {
        string none = QemuCommandLine.KernelCommandLine(Options(IommuModel.Virtio), "/o/init.sh");
        string some = QemuCommandLine.KernelCommandLine(Options(IommuModel.Virtio) with { HugePages = 96 }, "/o/init.sh");
        string negative = QemuCommandLine.KernelCommandLine(Options(IommuModel.Virtio) with { HugePages = -1 }, "/o/init.sh");
        Assert.Multiple(() =>
        {
            Assert.That(none, Does.Not.Contain("hugepages"));
            Assert.That(negative, Does.Not.Contain("hugepages"));
            Assert.That(some.Split(' '), Does.Contain("hugepages=96"));
            // Before the extra arguments, so a caller can still override it.
            string extra = QemuCommandLine.KernelCommandLine(Options(IommuModel.Virtio) with { HugePages = 8, ExtraKernelArguments = ["hugepages=2"] }, "/o/init.sh");
            Assert.That(extra, Does.EndWith("hugepages=8 hugepages=2"));
        });
    }

    [Test]
    public void The_smmuv3_model_boots_the_arm64_virt_machine_from_its_userland_and_bootstrap()
    {
        var options = Options(IommuModel.Smmuv3) with { KernelImage = "/k/Image", GuestRoot = "/u/root", AppDirectory = "/app" };
        var args = QemuCommandLine.Build(options, VmAccelerator.Tcg, "/o/init.sh", "/o", "n").ToList();
        string append = args[args.IndexOf("-append") + 1];
        Assert.Multiple(() =>
        {
            Assert.That(options.Qemu, Is.EqualTo("qemu-system-aarch64"));
            Assert.That(args, Does.Contain("virt,gic-version=3,iommu=smmuv3"));
            Assert.That(args.IndexOf("edu"), Is.GreaterThan(args.IndexOf("virt,gic-version=3,iommu=smmuv3")));
            Assert.That(args, Does.Contain("local,id=rootfs,path=/u/root,security_model=none,readonly=on,multidevs=remap"));
            Assert.That(args, Does.Contain("virtio-9p-pci,fsdev=appfs,mount_tag=app"));
            Assert.That(append.Split(' '), Does.Contain("console=ttyAMA0").And.Contain($"init={GuestPaths.Bootstrap}"));
            Assert.That(append, Does.Not.Contain("allow_unsafe_interrupts"), "the GICv3 ITS isolates MSIs");
        });
    }

    [Test]
    public void The_x86_models_share_the_host_root_and_no_app_folder()
    {
        var args = QemuCommandLine.Build(Options(IommuModel.Intel) with { AppDirectory = "/app" }, VmAccelerator.Tcg, "/o/init.sh", "/o", "n");
        Assert.Multiple(() =>
        {
            Assert.That(args, Does.Contain("local,id=rootfs,path=/,security_model=none,readonly=on,multidevs=remap"));
            Assert.That(args.Any(a => a.Contains("mount_tag=app", StringComparison.Ordinal)), Is.False);
            Assert.That(Options(IommuModel.Intel).Qemu, Is.EqualTo("qemu-system-x86_64"));
        });
    }

    [Test]
    public void Model_names_round_trip()
    {
        foreach (var model in Enum.GetValues<IommuModel>())
            Assert.That(IommuModels.Parse(model.Name()), Is.EqualTo(model));
        Assert.That(() => IommuModels.Parse("arm-smmu"), Throws.ArgumentException);
        Assert.That(IommuModel.Smmuv3.Name(), Is.EqualTo("arm64-smmuv3"));
    }
}
