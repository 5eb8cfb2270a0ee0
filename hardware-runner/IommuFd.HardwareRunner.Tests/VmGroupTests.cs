using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Hosting;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Probe;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Tests.Support;
using IommuFd.HardwareRunner.Vm;

namespace IommuFd.HardwareRunner.Tests;

public sealed class VmGroupTests
{
    private static (RunSummary Summary, string Ktap, FakeVmRunner Vm) RunVm(TempDirectory temp, VmEnding ending, int guestResults, bool guestFinishes, int hugePages = 0,
        FakeVmRunner? runner = null, TestKernelInfo? kernel = null)
    {
        var vm = runner ?? new FakeVmRunner(ending, guestResults, guestFinishes);
        var guest = new GuestRunSettings("/usr/share/dotnet/dotnet", "/repo/IommuFd.HardwareRunner.dll", ["--backend", "kernel"]);
        var factory = new VmGroupFactory(vm, guest, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), 2048, hugePages: hugePages);
        var group = factory.Create("intel", kernel ?? new TestKernelInfo("/cache/kernel/k/bzImage", "6.12.117", "cafe"), temp.Combine("vm_intel"));
        var (ktap, summary, _) = Samples.Execute([group], temp.Combine("results"));
        return (summary, ktap, vm);
    }

    [Test]
    public void CompletedGuestResultsAreMergedUnderTheVmGroup()
    {
        using var temp = new TempDirectory();
        var (summary, ktap, vm) = RunVm(temp, VmEnding.Completed, 3, guestFinishes: true);

        Assert.That(summary.Incomplete, Is.Null);
        Assert.That(summary.ExitCode, Is.EqualTo(ExitCodes.Pass));
        Assert.That(summary.Results.Select(r => r.Path), Is.EqualTo(new[]
        {
            "vm_intel.runner.vm.session", "vm_intel.kernel.iommufd.trace.t0", "vm_intel.kernel.iommufd.trace.t1", "vm_intel.kernel.iommufd.trace.t2",
        }));
        Assert.That(vm.Request!.GuestScript, Does.Contain("'run' '--backend' 'kernel'").And.Contain("'--output' '/run/out/results'"));
        Assert.That(KtapDocument.Parse(ktap).Results.Single().Subtest!.Planned, Is.EqualTo(4));
        Assert.That(File.ReadAllText(temp.Combine("results", "kcidb.json")), Does.Contain("\"kernel_release\": \"6.12.117\"").And.Contain("\"config_sha256\": \"cafe\""));
    }

    [Test]
    public void TheArm64GuestRunsThePublishedRunnerFromTheAppShareAndItsKernelIsArm64InKcidb()
    {
        using var temp = new TempDirectory();
        var vm = new FakeVmRunner(VmEnding.Completed, 1, guestFinishes: true);
        var guest = GuestRunSettings.Published("/repo/artifacts/arm64/runner", vm.GuestAppDirectory, ["--backend", "kernel"]);
        var kernel = new TestKernelInfo("/cache/kernel/k/Image", "6.12.118", "cafe") { Architecture = "arm64" };
        var group = new VmGroupFactory(vm, guest, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), 2048).Create("arm64-smmuv3", kernel, temp.Combine("vm_arm64-smmuv3"));
        var (_, summary, _) = Samples.Execute([group], temp.Combine("results"));

        Assert.That(summary.ExitCode, Is.EqualTo(ExitCodes.Pass));
        Assert.That(vm.Request!.AppDirectory, Is.EqualTo("/repo/artifacts/arm64/runner"));
        Assert.That(vm.Request.GuestScript, Does.StartWith("export").And.Contain("'/opt/iommufd/IommuFd.HardwareRunner' 'run' '--backend' 'kernel'"));
        Assert.That(summary.Results.Select(r => r.Path), Does.Contain("vm_arm64-smmuv3.runner.vm.session"));
        Assert.That(File.ReadAllText(temp.Combine("results", "kcidb.json")), Does.Contain("\"architecture\": \"arm64\""));
    }

    [Test]
    public void TheGuestGetsTheHugePagesItWasConfiguredWith()
    {
        using var temp = new TempDirectory();
        var (_, _, vm) = RunVm(temp, VmEnding.Completed, 1, guestFinishes: true, hugePages: 96);
        Assert.That(vm.Request!.HugePages, Is.EqualTo(96));
        Assert.That(new RunnerOptions().VmSettings.HugePages, Is.EqualTo(96), "the default covers the 128M_huge dirty trace (64 pages)");
    }

    [Test]
    public void HungGuestKeepsItsResultsSoFarAndMarksTheRunIncomplete()
    {
        using var temp = new TempDirectory();
        var (summary, ktap, _) = RunVm(temp, VmEnding.RunTimeout, 2, guestFinishes: false);

        Assert.That(summary.Results[0].Status, Is.EqualTo(TestStatus.Timeout));
        Assert.That(summary.Results[0].Log, Does.Contain("DMAR: IOMMU enabled"), "the guest's dmesg is kept");
        Assert.That(summary.Results.Skip(1).Select(r => r.Status), Is.EqualTo(new[] { TestStatus.Pass, TestStatus.Pass }));
        Assert.That(summary.Incomplete, Does.Contain("RunTimeout"));
        Assert.That(summary.ExitCode, Is.EqualTo(ExitCodes.Fail));
        Assert.That(SummaryJsonWriter.Read(temp.Combine("results", SummaryJsonWriter.Name))!.State, Is.EqualTo(RunState.Incomplete));
        Assert.That(KtapDocument.Parse(ktap).Results.Single().Ok, Is.False);
    }

    [Test]
    public void PanickedGuestWithoutResultsIsAnError()
    {
        using var temp = new TempDirectory();
        var (summary, _, _) = RunVm(temp, VmEnding.GuestPanic, 0, guestFinishes: false);

        Assert.That(summary.Results[0].Status, Is.EqualTo(TestStatus.Error));
        Assert.That(summary.Incomplete, Does.Contain("GuestPanic"));
    }

    [Test]
    public void GuestThatCompletesButCutItsOwnRunShortIsIncomplete()
    {
        using var temp = new TempDirectory();
        var (summary, _, _) = RunVm(temp, VmEnding.Completed, 1, guestFinishes: false);

        Assert.That(summary.Results[0].Status, Is.EqualTo(TestStatus.Pass));
        Assert.That(summary.Incomplete, Does.Contain("guest run running"));
    }

    [Test]
    public void KcidbNamesTheKernelAsTheGuestSawItAndLeavesTheGuestsEngineOut()
    {
        using var temp = new TempDirectory();
        var booted = new KernelIdentity("6.12.118", "unknown", "host kernel") { Banner = "Linux version 6.12.118 (root@build) #1 SMP PREEMPT_DYNAMIC" };
        var kernel = new TestKernelInfo("/cache/kernel/k/bzImage", "unknown", "cafe") { SourcePackage = "linux-source-6.12", SourceVersion = "6.12.118-1~deb12u1" };
        RunVm(temp, VmEnding.Completed, 2, guestFinishes: true, runner: new FakeVmRunner(VmEnding.Completed, 2, true, booted, guestEngineResult: true), kernel: kernel);

        FormatSchemas.AssertValid(temp.Combine("results", "kcidb.json"));
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(temp.Combine("results", "kcidb.json")));
        var build = doc.RootElement.GetProperty("builds").EnumerateArray().Single();
        Assert.That(build.GetProperty("misc").GetProperty("kernel_release").GetString(), Is.EqualTo("6.12.118"), "the guest's uname -r");
        Assert.That(build.GetProperty("misc").GetProperty("config_sha256").GetString(), Is.EqualTo("cafe"), "the build's own record of its config");
        Assert.That(build.GetProperty("misc").GetProperty("proc_version").GetString(), Does.StartWith("Linux version 6.12.118"));
        var checkout = doc.RootElement.GetProperty("checkouts").EnumerateArray().Single();
        Assert.That((checkout.GetProperty("tree_name").GetString(), checkout.GetProperty("git_commit_name").GetString()), Is.EqualTo(("debian", "6.12.118-1~deb12u1")));
        Assert.That(doc.RootElement.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("path").GetString()), Is.EqualTo(new[]
        {
            "vm_intel.runner.vm.session", "vm_intel.kernel.iommufd.trace.t0", "vm_intel.kernel.iommufd.trace.t1",
        }), "the guest's engine result is not a kernel result");
    }
}
