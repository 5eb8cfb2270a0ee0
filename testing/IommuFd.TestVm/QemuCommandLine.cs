namespace IommuFd.TestVm;

/// <summary>The QEMU arguments for one test VM. x86_64: q35, the chosen IOMMU first (it must exist
/// before the devices it translates for). arm64: virt with GICv3 and the SMMUv3 in front of its PCIe
/// root bus. Then edu devices, the root file system read-only over 9p (the host's, or the arm64
/// userland with the app share beside it), a writable 9p share for results, the serial console on stdio.</summary>
public static class QemuCommandLine
{
    /// <summary>Builds the argument list. <paramref name="initPath"/> is the init script's host path.</summary>
    public static IReadOnlyList<string> Build(VmOptions options, VmAccelerator accelerator, string initPath, string outDirectory, string name)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (accelerator == VmAccelerator.Auto)
            throw new ArgumentException("resolve Auto to Tcg or Kvm first", nameof(accelerator));
        ArgumentOutOfRangeException.ThrowIfNegative(options.EduDevices);

        bool hostRoot = options.Architecture.SharesHostRoot;
        var args = new List<string> { "-name", name };
        args.AddRange(accelerator == VmAccelerator.Kvm
            ? ["-accel", "kvm", "-cpu", "host"]
            : ["-accel", "tcg,thread=multi", "-cpu", "max"]);
        args.AddRange([
            "-M", options.Iommu switch
            {
                IommuModel.Intel => "q35,kernel-irqchip=split",
                IommuModel.Smmuv3 => "virt,gic-version=3,iommu=smmuv3",
                _ => "q35",
            },
            "-m", $"{options.MemoryMiB}M",
            "-smp", options.Cpus.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-display", "none", "-serial", "stdio", "-monitor", "none", "-nodefaults", "-no-reboot",
        ]);
        args.AddRange(options.Iommu switch
        {
            IommuModel.Intel => ["-device", "intel-iommu,intremap=on,caching-mode=on"],
            IommuModel.Amd => ["-device", "amd-iommu"],
            IommuModel.Virtio => ["-device", "virtio-iommu-pci"],
            _ => [],
        });
        for (int i = 0; i < options.EduDevices; i++)
            args.AddRange(["-device", "edu"]);
        args.AddRange([
            "-fsdev", $"local,id=rootfs,path={EscapeOption(options.GuestRoot ?? "/")},security_model=none,readonly=on,multidevs=remap",
            "-device", "virtio-9p-pci,fsdev=rootfs,mount_tag=rootfs",
            "-fsdev", $"local,id=outfs,path={EscapeOption(outDirectory)},security_model=none",
            "-device", "virtio-9p-pci,fsdev=outfs,mount_tag=out",
        ]);
        if (!hostRoot && options.AppDirectory is { } app)
        {
            args.AddRange([
                "-fsdev", $"local,id=appfs,path={EscapeOption(app)},security_model=none,readonly=on,multidevs=remap",
                "-device", $"virtio-9p-pci,fsdev=appfs,mount_tag={AppTag}",
            ]);
        }
        args.AddRange([
            "-kernel", options.KernelImage,
            // The host's root shows the host's init script; another root starts its bootstrap, which finds the script in the out share.
            "-append", KernelCommandLine(options, hostRoot ? initPath : GuestPaths.Bootstrap),
        ]);
        return args;
    }

    /// <summary>The 9p mount tag of the app share.</summary>
    public const string AppTag = "app";

    /// <summary>QEMU option values escape a comma by doubling it.</summary>
    public static string EscapeOption(string value) => value.Replace(",", ",,", StringComparison.Ordinal);

    /// <summary>The guest kernel's command line.</summary>
    public static string KernelCommandLine(VmOptions options, string initPath)
    {
        if (initPath.Any(char.IsWhiteSpace))
            throw new ArgumentException($"the init script path must not contain white space: '{initPath}'", nameof(initPath));
        var parts = new List<string>
        {
            options.Architecture.SharesHostRoot ? "console=ttyS0" : "console=ttyAMA0", "root=rootfs", "rootfstype=9p",
            "rootflags=trans=virtio,version=9p2000.L,msize=1048576", "ro", $"init={initPath}",
            // no_timer_check: under TCG the IO-APIC timer check through interrupt remapping races and panics.
            "panic=-1", "quiet", "no_timer_check",
        };
        parts.AddRange(options.Iommu switch
        {
            IommuModel.Intel => ["intel_iommu=on"],
            // QEMU's amd-iommu without a split irqchip: interrupt remapping breaks the IO-APIC timer
            // ("timer doesn't work through Interrupt-remapped IO-APIC" panic). Without remapping there is
            // no MSI isolation, which iommufd refuses (EPERM at VFIO bind) unless told otherwise.
            IommuModel.Amd => ["amd_iommu=on", "intremap=off", "iommufd.allow_unsafe_interrupts=1"],
            // virtio-iommu offers no interrupt remapping either.
            IommuModel.Virtio => ["iommufd.allow_unsafe_interrupts=1"],
            // The SMMUv3 needs nothing: the GICv3 ITS isolates MSIs.
            _ => [],
        });
        if (options.HugePages > 0)
            parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"hugepages={options.HugePages}"));
        parts.AddRange(options.ExtraKernelArguments);
        return string.Join(' ', parts);
    }
}
