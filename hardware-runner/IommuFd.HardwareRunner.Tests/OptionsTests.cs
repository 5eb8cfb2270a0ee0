using IommuFd.HardwareRunner.Cli;
using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Hosting;
using IommuFd.HardwareRunner.Tests.Support;
using IommuFd.HardwareRunner.Vfio;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IommuFd.HardwareRunner.Tests;

public sealed class OptionsTests
{
    private static readonly RunnerComponents NoComponents = new(null, new Dictionary<string, Suites.IBackendProvider>(), null);

    private static RunnerOptions Resolve(Dictionary<string, string?> commandLine)
    {
        using IHost host = RunnerHost.Build(new VerbRequest("probe", ""), commandLine, NoComponents, new ConsoleStreams(TextWriter.Null, TextWriter.Null, false));
        return host.Services.GetRequiredService<IOptions<RunnerOptions>>().Value;
    }

    [Test]
    public void EmbeddedDefaultsAreValid()
    {
        RunnerOptions o = Resolve([]);
        Assert.That(new RunnerOptionsValidator().Validate(null, o).Succeeded, Is.True);
        Assert.That(o.Origin, Is.EqualTo("iommufd_conformance"));
        Assert.That(o.Vm, Is.EqualTo("auto"));
        Assert.That(o.VfioAllowlist, Is.Empty, "no device is touched unless configured");
        Assert.That(o.AllowHostChanges, Is.False);
    }

    [Test]
    public void EnvironmentOverridesDefaultsAndCommandLineOverridesEnvironment()
    {
        Environment.SetEnvironmentVariable("IOMMUFD_RUNNER_RandomSequences", "7");
        Environment.SetEnvironmentVariable("IOMMUFD_RUNNER_Origin", "from_env");
        Environment.SetEnvironmentVariable("IOMMUFD_RUNNER_VmSettings__MemoryMiB", "4096");
        try
        {
            RunnerOptions o = Resolve(new() { ["Origin"] = "from_cli" });
            Assert.That(o.RandomSequences, Is.EqualTo(7));
            Assert.That(o.VmSettings.MemoryMiB, Is.EqualTo(4096));
            Assert.That(o.Origin, Is.EqualTo("from_cli"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("IOMMUFD_RUNNER_RandomSequences", null);
            Environment.SetEnvironmentVariable("IOMMUFD_RUNNER_Origin", null);
            Environment.SetEnvironmentVariable("IOMMUFD_RUNNER_VmSettings__MemoryMiB", null);
        }
    }

    [TestCase("TestTimeoutSeconds", "0", "TestTimeoutSeconds must be positive")]
    [TestCase("RunTimeoutSeconds", "5", "must not be less than TestTimeoutSeconds")]
    [TestCase("Origin", "Bad-Origin", "must match [a-z0-9_]+")]
    [TestCase("Vm", "arm-smmu", "Vm: 'arm-smmu' is not one of")]
    [TestCase("Backends:0", "gpu", "unknown backend 'gpu'")]
    [TestCase("RandomSequences", "-1", "RandomSequences must be")]
    [TestCase("Lava", "maybe", "Lava must be auto or off")]
    [TestCase("VfioAllowlist:0:Address", "00:04.0", "must look like 0000:00:04.0")]
    [TestCase("VmSettings:MemoryMiB", "64", "MemoryMiB must be at least 512")]
    [TestCase("VmSettings:HugePages", "-1", "HugePages must be between 0 and 512")]
    [TestCase("VmSettings:HugePages", "600", "HugePages must be between 0 and 512")]
    public async Task InvalidOptionFailsAtStartWithAClearMessage(string key, string value, string message)
    {
        var error = new StringWriter();
        var console = new ConsoleStreams(new StringWriter(), error, false);
        var configuration = new Dictionary<string, string?> { [key] = value };
        if (key.StartsWith("VfioAllowlist", StringComparison.Ordinal)) configuration["VfioAllowlist:0:VendorDevice"] = "1234:11e8";

        int exit = await RunnerHost.RunAsync(new VerbRequest("probe", ""), configuration, NoComponents, console);

        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error.ToString(), Does.Contain(message));
        Assert.That(error.ToString().TrimEnd().Split('\n'), Is.All.StartsWith("IommuFd.HardwareRunner: "), "one line per problem, in the runner's name");
        Assert.That(console.Out.ToString(), Is.Empty, "nothing ran");
    }

    [Test]
    public void AllowlistEntryNeedsBothAddressAndId()
    {
        Assert.That(new DeviceAllowance { Address = "0000:00:04.0", VendorDevice = "" }.Problem(), Does.Contain("vendor:device"));
        Assert.That(new DeviceAllowance { Address = "0000:00:04.0", VendorDevice = "1234:11e8" }.Problem(), Is.Null);
    }

    [Test]
    public async Task CommandLineOptionsBecomeConfigurationKeys()
    {
        VerbRequest? request = null;
        IReadOnlyDictionary<string, string?>? configuration = null;
        var root = RunnerCommandLine.Build((r, c, _) => { request = r; configuration = c; return Task.FromResult(0); });

        int exit = await root.Parse(["run", "--backend", "engine", "--backend", "kernel", "--vm", "amd", "--random", "3", "--test-timeout", "2.5", "--dry-run", "-o", "out"]).InvokeAsync();

        Assert.That(exit, Is.Zero);
        Assert.That(request!.Verb, Is.EqualTo("run"));
        Assert.That(configuration, Is.EquivalentTo(new Dictionary<string, string?>
        {
            ["Backends:0"] = "engine", ["Backends:1"] = "kernel", ["Vm"] = "amd", ["RandomSequences"] = "3",
            ["TestTimeoutSeconds"] = "2.5", ["DryRun"] = "true", ["OutputDirectory"] = "out",
        }));
    }

    [Test]
    public async Task VmVerbTakesTheModelAndTraceVerbsTakeTheFile()
    {
        var seen = new List<(VerbRequest, IReadOnlyDictionary<string, string?>)>();
        var root = RunnerCommandLine.Build((r, c, _) => { seen.Add((r, c)); return Task.FromResult(0); });

        await root.Parse(["vm", "virtio"]).InvokeAsync();
        await root.Parse(["replay", "a.trace.json", "--backend", "kernel"]).InvokeAsync();
        await root.Parse(["diff", "b.trace.json"]).InvokeAsync();

        Assert.That(seen[0].Item2["Vm"], Is.EqualTo("virtio"));
        Assert.That((seen[1].Item1.Verb, seen[1].Item1.TraceFile, seen[1].Item1.Backend), Is.EqualTo(("replay", "a.trace.json", "kernel")));
        Assert.That((seen[2].Item1.Verb, seen[2].Item1.Backend, seen[2].Item1.OtherBackend), Is.EqualTo(("diff", "engine", "kernel")));
    }

    [Test]
    public async Task VmVerbTakesTheKernelSeriesAndTheLocatorIsAskedForIt()
    {
        IReadOnlyDictionary<string, string?>? configuration = null;
        var root = RunnerCommandLine.Build((_, c, _) => { configuration = c; return Task.FromResult(0); });
        await root.Parse(["vm", "intel", "--series", "7.3"]).InvokeAsync();
        Assert.That(configuration!["VmSettings:KernelSeries"], Is.EqualTo("7.3"));

        string? asked = null;
        var components = NoComponents with { LocateKernel = (series, _) => { asked = series; return new Probe.KernelLookup(null, "none here", series); } };
        VmEnvironment.LocateKernel(Resolve(new() { ["VmSettings:KernelSeries"] = "7.3" }), components);
        Assert.That(asked, Is.EqualTo("7.3"));
        VmEnvironment.LocateKernel(Resolve([]), components);
        Assert.That(asked, Is.Empty, "no series configured: the locator's default (IOMMUFD_KERNEL_SERIES, else lts)");
    }

    [Test]
    public void UnknownVmModelIsAParseError()
    {
        var root = RunnerCommandLine.Build((_, _, _) => Task.FromResult(0));
        Assert.That(root.Parse(["run", "--vm", "smmu"]).Errors, Is.Not.Empty);
    }
}
