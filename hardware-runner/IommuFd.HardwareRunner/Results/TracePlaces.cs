using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Suites;

namespace IommuFd.HardwareRunner.Results;

/// <summary>Where each trace ran on a kernel: the trace cases of kernel-side groups (<c>kernel</c>
/// replays and <c>diff_*kernel*</c> differentials), on the host or inside a VM group
/// (<c>vm_virtio.diff_engine_kernel.iommufd.diff.X</c>); trace cases of other groups (<c>engine</c>)
/// only name the trace.</summary>
public static class TracePlaces
{
    /// <summary>One kernel-side trace case.</summary>
    /// <param name="Trace">The trace's case name segment.</param>
    /// <param name="Place">"host" or the VM group, e.g. <c>vm_virtio</c>.</param>
    /// <param name="Differential">A diff case (else a single-backend kernel replay).</param>
    /// <param name="Result">The case's result.</param>
    /// <param name="KernelSide">A case of a kernel or kernel-diff group.</param>
    public sealed record Case(string Trace, string Place, bool Differential, TestCaseResult Result, bool KernelSide)
    {
        /// <summary>The case ran on a kernel (it may have passed or failed); a skip or a case never started did not.</summary>
        public bool Ran => KernelSide && Result.Status is not (TestStatus.Skip or TestStatus.NotRun);
    }

    /// <summary>The trace case <paramref name="result"/> is, or null.</summary>
    public static Case? Parse(TestCaseResult result)
    {
        (string place, string inner) = result.Group.StartsWith("vm_", StringComparison.Ordinal)
            ? (result.Group, result.Name)
            : ("host", $"{result.Group}.{result.Name}");
        int dot = inner.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0) return null;
        string group = inner[..dot], rest = inner[(dot + 1)..];
        bool kernelSide = group == "kernel" || (group.StartsWith("diff_", StringComparison.Ordinal) && group.Split('_').Contains("kernel"));
        string diffPrefix = $"{CaseNames.Suite}.diff.", tracePrefix = $"{CaseNames.Suite}.trace.";
        if (rest.StartsWith(diffPrefix, StringComparison.Ordinal)) return new Case(rest[diffPrefix.Length..], place, true, result, kernelSide);
        if (rest.StartsWith(tracePrefix, StringComparison.Ordinal)) return new Case(rest[tracePrefix.Length..], place, false, result, kernelSide);
        return null;
    }

    /// <summary>The report's section: one row per trace with where its kernel cases ran, or why nowhere.</summary>
    public static string Render(IEnumerable<TestCaseResult> results)
    {
        var byTrace = results.Select(Parse).OfType<Case>().GroupBy(c => c.Trace).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var text = new System.Text.StringBuilder();
        int diffed = byTrace.Count(g => g.Any(c => c.Differential && c.Ran));
        int nowhere = byTrace.Count(g => !g.Any(c => c.Ran));
        text.AppendLine($"## Where each trace ran on a kernel ({byTrace.Count} traces: {diffed} diffed against a kernel, {nowhere} nowhere)");
        text.AppendLine();
        if (byTrace.Count == 0)
            return text.AppendLine("No trace was planned.").ToString();
        text.AppendLine("| trace | ran on a kernel in | not run in (why) |");
        text.AppendLine("| --- | --- | --- |");
        foreach (var trace in byTrace)
        {
            string ran = string.Join(", ", trace.Where(c => c.Ran).GroupBy(c => c.Place)
                .Select(p => $"{p.Key} ({string.Join(", ", p.Select(c => $"{(c.Differential ? "diff" : "replay")} {c.Result.Status.ToString().ToLowerInvariant()}"))})"));
            string why = string.Join("; ", trace.Where(c => c.KernelSide && !c.Ran && !trace.Any(o => o.Ran && o.Place == c.Place && o.Differential == c.Differential))
                .GroupBy(c => (c.Place, c.Result.Reason)).Select(p => $"{p.Key.Place}: {p.Key.Reason}"));
            if (!trace.Any(c => c.KernelSide))
                why = "no kernel backend in this run (no /dev/iommu, no test VM)";
            text.AppendLine($"| `{trace.Key}` | {(ran.Length == 0 ? "**nowhere**" : ran)} | {Cell(why)} |");
        }
        return text.ToString();
    }

    private static string Cell(string text) => text.ReplaceLineEndings(" ").Replace("|", "\\|");
}
