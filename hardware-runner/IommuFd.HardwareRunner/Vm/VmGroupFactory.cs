using System.Diagnostics;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Probe;
using IommuFd.HardwareRunner.Results;

namespace IommuFd.HardwareRunner.Vm;

/// <summary>Makes the group that runs the suite inside the test kernel. The guest writes its own
/// results into the out share as they arrive; after the session (completed, hung, panicked or
/// crashed) the host reads whatever is there, adds one case for the session itself, and merges
/// them under <c>vm_&lt;model&gt;</c>. A session that did not complete leaves the group (and the
/// run) marked incomplete, with every guest result so far kept.</summary>
public sealed class VmGroupFactory(IVmRunner runner, GuestRunSettings guest, TimeSpan bootTimeout, TimeSpan runTimeout, int memoryMiB, Action<string>? progress = null, int hugePages = 0)
{
    /// <summary>How often a running session reports that it is still alive.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(30);

    /// <summary>The name of the case that stands for the guest session.</summary>
    public const string SessionCase = "runner.vm.session";

    /// <summary>The group for <paramref name="model"/> booting <paramref name="kernel"/>, writing into <paramref name="outDirectory"/>.</summary>
    public DeferredTestGroup Create(string model, TestKernelInfo kernel, string outDirectory)
    {
        KernelIdentity planned = Identity(model, kernel);
        return new($"vm_{model}", $"test kernel {kernel.Release} under QEMU with the {model} IOMMU", ct => Run(model, kernel, planned, outDirectory, ct))
        {
            Kernel = planned,
        };
    }

    /// <summary>What the host knows of the test kernel before it boots (its <c>kernel.json</c>).</summary>
    public static KernelIdentity Identity(string model, TestKernelInfo kernel) =>
        new(kernel.Release, kernel.ConfigHash, $"test kernel (VM, {model} IOMMU)")
        {
            SourcePackage = kernel.SourcePackage, SourceVersion = kernel.SourceVersion, Architecture = kernel.Architecture,
        };

    private DeferredGroupResult Run(string model, TestKernelInfo kernel, KernelIdentity planned, string outDirectory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(outDirectory)) Directory.Delete(outDirectory, recursive: true);
        Directory.CreateDirectory(outDirectory);
        var request = new VmRequest(model, kernel.Image, guest.Script(runner.GuestOutDirectory), outDirectory, bootTimeout, runTimeout, memoryMiB, hugePages)
        {
            AppDirectory = guest.AppDirectory,
        };

        DateTimeOffset start = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        VmRun session;
        // A session can take many minutes under emulation: say it is alive, with the guest's progress so far.
        string journal = Path.Combine(outDirectory, "results", ResultStore.JournalFileName);
        using var heartbeat = new Timer(_ => progress?.Invoke(
            $"vm_{model}: guest running for {watch.Elapsed.TotalSeconds:0} s, {CountLines(journal)} result(s) so far"), null, HeartbeatInterval, HeartbeatInterval);
        try
        {
            progress?.Invoke($"vm_{model}: booting {kernel.Image} (boot limit {bootTimeout.TotalSeconds:0} s, session limit {runTimeout.TotalSeconds:0} s)");
            session = runner.RunAsync(request, cancellationToken).GetAwaiter().GetResult();
            progress?.Invoke($"vm_{model}: session ended: {session.Ending} after {watch.Elapsed.TotalSeconds:0} s");
        }
        catch (OperationCanceledException)
        {
            return Merge(outDirectory, planned, new TestCaseResult("", SessionCase, TestStatus.Timeout, "interrupted: the run was stopped", "", null, start, watch.Elapsed), "the run was stopped during the VM session");
        }

        TestStatus status = session.Ending switch
        {
            VmEnding.Completed => TestStatus.Pass,
            VmEnding.BootTimeout or VmEnding.RunTimeout => TestStatus.Timeout,
            _ => TestStatus.Error,
        };
        string log = session.Description + (session.Dmesg is { Length: > 0 } d ? "\n--- guest dmesg (tail) ---\n" + Tail(d, 8000) : "");
        var sessionResult = new TestCaseResult("", SessionCase, status, status == TestStatus.Pass ? null : $"guest session: {session.Ending}", log, null, start, watch.Elapsed);
        return Merge(outDirectory, planned, sessionResult, session.Ending == VmEnding.Completed ? null : $"guest session ended with {session.Ending}");
    }

    /// <summary>The session case plus every guest result, renamed <c>&lt;guest group&gt;.&lt;case&gt;</c>,
    /// and the kernel as the guest saw itself (its <c>uname -r</c> and banner).</summary>
    internal static DeferredGroupResult Merge(string outDirectory, KernelIdentity planned, TestCaseResult session, string? sessionProblem)
    {
        var results = new List<TestCaseResult> { session };
        string? incomplete = sessionProblem;
        RunSnapshot? guestRun;
        try
        {
            guestRun = SummaryJsonWriter.Read(Path.Combine(outDirectory, "results", SummaryJsonWriter.Name));
        }
        catch (InvalidDataException e)
        {
            results.Add(session with { Name = "runner.vm.results", Status = TestStatus.Error, Reason = e.Message, Log = "" });
            return new DeferredGroupResult(results, incomplete ?? "the guest's results could not be read");
        }

        if (guestRun is null)
            return new DeferredGroupResult(results, incomplete ?? "the guest wrote no results");
        // The journal is appended per result; the summary may lag it by the rewrite interval.
        IReadOnlyList<TestCaseResult> guestResults = ResultJournal.Read(Path.Combine(outDirectory, "results", ResultStore.JournalFileName));
        if (guestResults.Count < guestRun.AllResults.Count())
            guestResults = [.. guestRun.AllResults];
        foreach (TestCaseResult r in guestResults)
            results.Add(r with { Name = $"{r.Group}.{r.Name}" });
        if (guestRun.State != RunState.Complete)
            incomplete ??= $"guest run {guestRun.State.ToString().ToLowerInvariant()}: {guestRun.Incomplete}";
        return new DeferredGroupResult(results, incomplete) { Kernel = AsBooted(planned, guestRun.Environment.HostKernel) };
    }

    /// <summary>The guest's own release and banner over what the host expected; the host's record
    /// of the build (config hash, Debian source) where the guest cannot know better.</summary>
    private static KernelIdentity AsBooted(KernelIdentity planned, KernelIdentity guest) => planned with
    {
        Release = guest.Release,
        ConfigHash = planned.ConfigHash != "unknown" ? planned.ConfigHash : guest.ConfigHash,
        Banner = guest.Banner ?? planned.Banner,
    };

    private static int CountLines(string path)
    {
        try { return File.Exists(path) ? File.ReadLines(path).Count() : 0; }
        catch (IOException) { return 0; }
    }

    private static string Tail(string text, int length) => text.Length <= length ? text : text[^length..];
}
