using IommuFd.HardwareRunner.Hosting;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Suites;
using IommuFd.HardwareRunner.Tests.Support;
using IommuFd.HardwareRunner.Vm;
using IommuFd.Interop;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>The main job end to end with scripted VMs: the intel guest's probes skip the mock-domain
/// traces, so the virtio VM is booted for exactly those, and the AMD one is not booted at all.</summary>
public sealed class FollowUpVmRunTests
{
    /// <summary>Stands for QEMU: the guest "replays" every trace of its <c>--traces</c> folder; a trace
    /// under <c>md/</c> is skipped for an unmet need unless the model is in <see cref="MockDomainModels"/>.</summary>
    private sealed class ProbingVmRunner(params string[] mockDomainModels) : IVmRunner
    {
        public string[] MockDomainModels { get; } = mockDomainModels;
        public List<(string Model, List<string> Traces)> Sessions { get; } = [];
        public string GuestOutDirectory => "/run/out";
        public string GuestAppDirectory => "/opt/iommufd";

        public Task<VmRun> RunAsync(VmRequest request, CancellationToken cancellationToken)
        {
            string[] words = request.GuestScript.Split(' ');
            string traces = words[Array.IndexOf(words, "'--traces'") + 1].Trim('\'');
            var names = Directory.EnumerateFiles(traces, "*.jsonl", SearchOption.AllDirectories)
                .Select(p => Path.ChangeExtension(Path.GetRelativePath(traces, p), null).Replace('/', '-')).Order(StringComparer.Ordinal).ToList();
            Sessions.Add((request.Model, names));
            var store = new ResultStore(Path.Combine(request.OutDirectory, "results"), [new SummaryJsonWriter()], TimeSpan.FromHours(1));
            var group = new StaticTestGroup("diff_engine_kernel", "guest diff", []);
            store.RunStarted(Samples.Environment(), 1);
            store.GroupStarted(group, names.Count);
            foreach (string name in names)
            {
                bool met = !name.StartsWith("md-", StringComparison.Ordinal) || MockDomainModels.Contains(request.Model);
                store.CaseFinished(new TestCaseResult("diff_engine_kernel", $"iommufd.diff.{name}", met ? TestStatus.Pass : TestStatus.Skip,
                    met ? null : "needs mock-domain: kernel: IOMMU_TEST_OP_MOCK_DOMAIN on a fresh IOAS answered EINVAL", "", null, DateTimeOffset.UtcNow, TimeSpan.Zero));
            }
            store.GroupFinished(group, null);
            store.RunFinished(null);
            return Task.FromResult(new VmRun(VmEnding.Completed, 0, "VM Completed", ""));
        }
    }

    private static async Task<(string Ktap, string Report, ProbingVmRunner Vm)> MainJob(TempDirectory temp, ProbingVmRunner vm)
    {
        Directory.CreateDirectory(temp.Combine("traces", "md"));
        Directory.CreateDirectory(temp.Combine("traces", "selftest"));
        foreach (string trace in new[] { "md/a", "md/b", "selftest/c" })
            File.WriteAllText(temp.Combine("traces", trace + ".jsonl"), "{\"op\":\"ioctl\",\"cmd\":\"IOMMU_IOAS_ALLOC\",\"arg\":{}}\n");
        File.WriteAllText(temp.Combine("traces", "md", "requires.json"), "{\"needs\":[\"mock-domain\"]}\n");
        File.WriteAllText(temp.Combine("bzImage"), "");
        // The host probe asks qemu for its version: a stand-in answers it.
        Directory.CreateDirectory(temp.Combine("bin"));
        File.WriteAllText(temp.Combine("bin", "qemu-system-x86_64"), "#!/bin/sh\necho 'QEMU emulator version 7.2.0'\n");
        File.SetUnixFileMode(temp.Combine("bin", "qemu-system-x86_64"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string? path = Environment.GetEnvironmentVariable("PATH");
        string? require = Environment.GetEnvironmentVariable(EnvironmentVariables.RequireKernel);
        Environment.SetEnvironmentVariable("PATH", $"{temp.Combine("bin")}:{path}");
        Environment.SetEnvironmentVariable(EnvironmentVariables.RequireKernel, null);
        try
        {
            var configuration = new Dictionary<string, string?>
            {
                ["OutputDirectory"] = temp.Combine("out"), ["TracesDirectory"] = temp.Combine("traces"), ["Vm"] = "auto", ["Lava"] = "off",
                ["ReportRewriteIntervalMilliseconds"] = "0", ["RandomSequences"] = "0", ["VmSettings:KernelImage"] = temp.Combine("bzImage"),
                ["Backends:0"] = "engine",
            };
            var output = new StringWriter();
            var suite = new Adapters.ConformanceSuiteAdapter();
            var backends = new Dictionary<string, IBackendProvider> { ["engine"] = new Adapters.EngineProvider() };
            await RunnerHost.RunAsync(new VerbRequest("run", "run"), configuration, new RunnerComponents(suite, backends, vm), new ConsoleStreams(output, new StringWriter(), false));
            return (output.ToString(), File.ReadAllText(temp.Combine("out", "report.md")), vm);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
            Environment.SetEnvironmentVariable(EnvironmentVariables.RequireKernel, require);
        }
    }

    [Test]
    public async Task TheVirtioVmIsBootedForTheTracesTheIntelVmSkippedAndNothingIsLeftForAmd()
    {
        using var temp = new TempDirectory();
        var (ktap, report, vm) = await MainJob(temp, new ProbingVmRunner("virtio"));

        Assert.That(vm.Sessions.Select(s => s.Model), Is.EqualTo(new[] { "intel", "virtio" }));
        Assert.That(vm.Sessions[0].Traces, Is.EqualTo(new[] { "md-a", "md-b", "selftest-c" }));
        Assert.That(vm.Sessions[1].Traces, Is.EqualTo(new[] { "md-a", "md-b" }), "only what the intel VM could not diff");
        Assert.That(ktap, Does.Contain("ok 1 runner.vm.session # SKIP not booted: every trace was diffed against a kernel in an earlier group"));
        Assert.That(report, Does.Contain("| `md-a` | vm_virtio (diff pass) | vm_intel: needs mock-domain: kernel: IOMMU_TEST_OP_MOCK_DOMAIN on a fresh IOAS answered EINVAL |"));
        Assert.That(report, Does.Contain("| `selftest-c` | vm_intel (diff pass) |"));
        Assert.That(report, Does.Contain("(3 traces: 3 diffed against a kernel, 0 nowhere)"));
        const string reason = "needs mock-domain: kernel: IOMMU_TEST_OP_MOCK_DOMAIN on a fresh IOAS answered EINVAL";
        Assert.That(ktap, Does.Contain($"  ok 2 diff_engine_kernel.iommufd.diff.md-a # SKIP {reason}"));
        Assert.That(File.ReadAllText(temp.Combine("out", "junit.xml")), Does.Contain($"<skipped message=\"{reason}\""));
        Assert.That(File.ReadAllText(temp.Combine("out", "kcidb.json")), Does.Contain($"\"status\": \"SKIP\",\n      \"comment\": \"{reason}\""));
    }

    [Test]
    public async Task ATraceNoModelGivesWhatItNeedsIsReportedAsRunNowhereWithEachVmsReason()
    {
        using var temp = new TempDirectory();
        var (_, report, vm) = await MainJob(temp, new ProbingVmRunner());

        Assert.That(vm.Sessions.Select(s => s.Model), Is.EqualTo(new[] { "intel", "virtio", "amd" }));
        Assert.That(report, Does.Contain("| `md-b` | **nowhere** | vm_intel: needs mock-domain"));
        Assert.That(report, Does.Contain("vm_amd: needs mock-domain"));
        Assert.That(report, Does.Contain("(3 traces: 1 diffed against a kernel, 2 nowhere)"));
    }
}
