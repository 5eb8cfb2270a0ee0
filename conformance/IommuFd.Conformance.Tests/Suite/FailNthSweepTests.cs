using IommuFd.Bindings.Backends;
using IommuFd.Conformance.FailNth;
using IommuFd.Testing;
using IommuFd.TestVm;
using IommuFd.Interop;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The kernel's iommufd_fail_nth selftest, done differentially: every trace under
/// conformance/traces/failnth is replayed on the kernel with the Nth fault point failing, for
/// N = 1, 2, ... until a run injects no fault, and each run is checked against the engine (see
/// <see cref="FailNthSweep"/>). Fault injection is machine-wide configuration, so it runs only in the
/// test VM, or on a host that opts in with IOMMUFD_FAILNTH_ON_HOST=1.</summary>
[Category(KernelTier.Category)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // the kernel tier and fail-nth are Linux only
public sealed class FailNthSweepTests
{
    /// <summary>The swept traces: conformance/traces/failnth, by name without extension.</summary>
    public static IEnumerable<string> Sequences() => SequencesUnder("failnth/");

    /// <summary>The swept traces with mock devices and domains: conformance/traces/mockdomain/failnth.</summary>
    public static IEnumerable<string> MockDomainSequences() => SequencesUnder(TraceFiles.MockDomainFolder + "/failnth/");

    /// <summary>7.3's file-mapping sequences with mock domains: conformance/traces/mapfile/failnth.</summary>
    public static IEnumerable<string> MapFileSequences() => SequencesUnder("mapfile/failnth/");

    private static IEnumerable<string> SequencesUnder(string folder) =>
        TraceFiles.All().Where(n => n.StartsWith(folder, StringComparison.Ordinal)).Select(n => n[..^".jsonl".Length]);

    [TestCaseSource(nameof(Sequences))]
    public void EveryFaultPointFailsCleanly(string name) =>
        Sweep(name, SuiteBackends.Kernel(mockDomains: false), () => SuiteBackends.Engine(mockDomains: false));

    /// <summary>The same with mock domains: the kernel side runs in the virtio VM, the only one where
    /// the test kernel gives mock devices a mock domain.</summary>
    [TestCaseSource(nameof(MockDomainSequences))]
    public void EveryFaultPointFailsCleanlyWithMockDomains(string name) =>
        Sweep(name, SuiteBackends.Kernel(mockDomains: true), () => SuiteBackends.Engine(mockDomains: true));

    /// <summary>The same for the file-mapping sequences (from 7.3 on; ignored, saying so, on older kernels).</summary>
    [TestCaseSource(nameof(MapFileSequences))]
    public void EveryFaultPointFailsCleanlyWithFileMappings(string name) =>
        Sweep(name, SuiteBackends.Kernel(mockDomains: true), () => SuiteBackends.Engine(mockDomains: true));

    // An absorbed fault in the second attach makes the kernel allocate a domain of its own (docs/fail-nth.md).
    private static readonly HashSet<string> AbsorbedFaultsUnmodelled = [TraceFiles.MockDomainFolder + "/failnth/map-two-domains"];

    private static void Sweep(string name, IIommuBackend kernelBackend, Func<IIommuBackend> createEngine)
    {
        using IIommuBackend kernel = kernelBackend; // on a host without /dev/iommu: relays the VM's result
        Trace trace = TraceFiles.Load(name);
        TraceKernels.RequireApplies(trace);
        if (!KernelTier.InGuest && Environment.GetEnvironmentVariable(EnvironmentVariables.FailNthOnHost) != "1")
            Assert.Ignore($"fail-nth arms kernel fault injection (machine-wide debugfs settings): it runs in the kernel tier's test VM, " +
                          $"or on this host with {EnvironmentVariables.FailNthOnHost}=1");
        if (FaultInjectionKnobs.Apply() is { } unusable)
            Assert.Fail($"fault injection is not usable: {unusable}");
        using IIommuBackend engine = createEngine();
        using KernelMessages log = KernelMessages.OpenAtEnd();

        var options = new FailNthOptions { AbsorbedFaultsModelled = !AbsorbedFaultsUnmodelled.Contains(name) };
        var sweep = new FailNthSweep(kernel, engine, TaskFailNth.OpenForCurrentThread, log.ReadNew, options);
        FailNthResult result = sweep.Run(trace);

        TestContext.Progress.WriteLine("fail-nth " + result.Summary());
        TestContext.Out.WriteLine(result.ToText());
        SaveResult(name, result);
        if (result.Failed.Count > 0)
            Assert.Fail(result.ToText());
        Assert.That(result.Injected, Is.GreaterThan(0), "no fault was injected at all: fail-nth had no effect");
    }

    // The JSON result file: in the VM on the shared out folder (it reaches the host), else next to the test.
    private static void SaveResult(string name, FailNthResult result)
    {
        string root = Environment.GetEnvironmentVariable(EnvironmentVariables.GuestOut) is { Length: > 0 } shared
            ? shared
            : TestContext.CurrentContext.WorkDirectory;
        string path = Path.Combine(root, "failnth", name.Replace('/', '-') + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, result.ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        TestContext.AddTestAttachment(path, "fail-nth result");
    }
}
