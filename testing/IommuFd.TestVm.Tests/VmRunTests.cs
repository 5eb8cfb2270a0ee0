namespace IommuFd.TestVm.Tests;

/// <summary>End-to-end runs of the test kernel in QEMU: outcomes, exit codes, files, no leftovers.</summary>
[TestFixture]
[Category("Vm")]
public sealed class VmRunTests
{
    private static VmOptions Options(string label, IommuModel iommu = IommuModel.Intel) => new()
    {
        KernelImage = RequiredKernel.Image(),
        OutDirectory = RequiredKernel.NewOutDirectory(label),
        Iommu = iommu,
        BootTimeout = TimeSpan.FromSeconds(120),
        RunTimeout = TimeSpan.FromMinutes(4),
    };

    private static void AssertNoQemuLeft(VmResult result) =>
        Assert.That(QemuGone.WithinAsync(result.VmName).GetAwaiter().GetResult(), Is.True, $"QEMU processes of {result.VmName} still running");

    [Test]
    public async Task Echo_runs_in_the_guest_and_the_guest_writes_to_the_out_share()
    {
        var options = Options("echo");
        var command = new GuestCommand("echo hello-from-guest; uname -r > \"$IOMMUFD_GUEST_OUT/uname.txt\"; echo \"$GREETING\"")
        {
            Environment = new Dictionary<string, string> { ["GREETING"] = "it's quoted; $not expanded" },
        };

        var result = await VmLauncher.RunAsync(options, command);

        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(VmOutcome.Completed), result.Describe());
            Assert.That(result.ExitCode, Is.Zero);
            Assert.That(result.Console, Does.Contain("hello-from-guest"));
            Assert.That(result.Console, Does.Contain("it's quoted; $not expanded"));
            Assert.That(File.ReadAllText(Path.Combine(result.OutDirectory, "uname.txt")), Does.StartWith(RequiredKernel.Series() + "."));
            Assert.That(result.Dmesg, Does.Contain($"Linux version {RequiredKernel.Series()}."));
            Assert.That(result.BootTime, Is.Not.Null);
        });
        TestContext.Out.WriteLine($"{File.ReadAllText(Path.Combine(result.OutDirectory, "uname.txt")).Trim()}: boot {result.BootTime!.Value.TotalSeconds:F1} s, whole run {result.Elapsed.TotalSeconds:F1} s");
        AssertNoQemuLeft(result);
    }

    [Test]
    public async Task The_command_exit_code_comes_back()
    {
        var result = await VmLauncher.RunAsync(Options("exit"), new GuestCommand("echo about to fail; exit 42"));

        Assert.That(result.Outcome, Is.EqualTo(VmOutcome.Completed), result.Describe());
        Assert.That(result.ExitCode, Is.EqualTo(42));
        Assert.That(File.ReadAllText(Path.Combine(result.OutDirectory, "exit-code")).Trim(), Is.EqualTo("42"));
        AssertNoQemuLeft(result);
    }

    [Test]
    public async Task A_hanging_guest_is_a_run_timeout_and_keeps_its_files()
    {
        // Long enough for a slow (emulated, loaded) boot to reach the command, short enough for a test.
        var options = Options("hang") with { RunTimeout = TimeSpan.FromSeconds(90) };
        var command = new GuestCommand("echo partial > \"$IOMMUFD_GUEST_OUT/partial.txt\"; echo now-hanging; sleep 100000");

        var result = await VmLauncher.RunAsync(options, command);

        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(VmOutcome.RunTimeout), result.Describe());
            Assert.That(result.ExitCode, Is.Null);
            Assert.That(File.ReadAllText(Path.Combine(result.OutDirectory, "partial.txt")).Trim(), Is.EqualTo("partial"));
            Assert.That(File.ReadAllText(Path.Combine(result.OutDirectory, "console.log")), Does.Contain("now-hanging"));
        });
        AssertNoQemuLeft(result);
    }

    [Test]
    public async Task A_guest_panic_is_reported_as_such()
    {
        var result = await VmLauncher.RunAsync(Options("panic"), new GuestCommand("echo c > /proc/sysrq-trigger; sleep 100000"));

        Assert.That(result.Outcome, Is.EqualTo(VmOutcome.GuestPanic), result.Describe());
        Assert.That(result.Console, Does.Contain(VmLauncher.PanicText));
        AssertNoQemuLeft(result);
    }

    [Test]
    public async Task A_boot_that_never_reaches_init_is_a_boot_timeout()
    {
        // rootdelay holds the kernel for a minute before it mounts the root and starts init, so the
        // 5-second boot budget runs out whatever the machine's speed (the lean kernel boots in ~2 s).
        var options = Options("boot") with { BootTimeout = TimeSpan.FromSeconds(5), ExtraKernelArguments = ["rootdelay=60"] };

        var result = await VmLauncher.RunAsync(options, new GuestCommand("true"));

        Assert.That(result.Outcome, Is.EqualTo(VmOutcome.BootTimeout), result.Describe());
        AssertNoQemuLeft(result);
    }

    [Test]
    public void Cancelling_a_run_kills_qemu_and_throws()
    {
        var options = Options("cancel");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        string marker = Path.GetFileName(options.OutDirectory);

        Assert.That(async () => await VmLauncher.RunAsync(options, new GuestCommand("sleep 100000"), cancel.Token),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(QemuGone.WithinAsync(marker).GetAwaiter().GetResult(), Is.True, "QEMU still runs after cancellation");
    }

    [TestCase(IommuModel.Intel)]
    [TestCase(IommuModel.Amd)]
    [TestCase(IommuModel.Virtio)]
    public async Task Edu_devices_bind_to_vfio_pci_behind_the_emulated_iommu(IommuModel model)
    {
        var options = Options("edu-" + model.Name(), model) with { EduDevices = 2 };
        var command = new GuestCommand(
            "ls /sys/class/iommu > \"$IOMMUFD_GUEST_OUT/iommus.txt\"; ls /dev/vfio/devices > \"$IOMMUFD_GUEST_OUT/cdevs.txt\"; " +
            "test -c /dev/iommu && echo \"$IOMMUFD_GUEST_IOMMU $IOMMUFD_GUEST_VFIO_DEVICES\"");

        var result = await VmLauncher.RunAsync(options, command);

        Assert.That(result.Outcome, Is.EqualTo(VmOutcome.Completed), result.Describe());
        Assert.That(result.ExitCode, Is.Zero, result.Console);
        string cdevs = File.ReadAllText(Path.Combine(result.OutDirectory, "cdevs.txt"));
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(Path.Combine(result.OutDirectory, "iommus.txt")).Trim(), Is.Not.Empty, "no IOMMU registered in the guest");
            Assert.That(cdevs.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EquivalentTo(new[] { "vfio0", "vfio1" }));
            Assert.That(File.ReadAllText(Path.Combine(result.OutDirectory, "vfio-devices.txt")).Split(' ', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2));
        });
        AssertNoQemuLeft(result);
    }
}
