using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Suites;

namespace IommuFd.HardwareRunner.Vm;

/// <summary>A VM session for what the earlier groups could not test: when it is reached, the traces
/// whose engine-vs-kernel differential has not run anywhere yet (their needs were not met, as the
/// probes inside the earlier VMs found) are copied, with their <c>requires.json</c> files, to
/// <see cref="TracesDirectory"/>, and the guest replays only those. Whether this model gives what
/// they need is again the probes' decision inside it. With nothing left, it is not booted and says so.</summary>
/// <param name="Coverage">What has been diffed so far.</param>
/// <param name="Traces">Every trace of the run, with its traces folder.</param>
/// <param name="TracesDirectory">Where the subset is written (the guest's <c>--traces</c>).</param>
public sealed record FollowUpVmGroup(CoverageSink Coverage, IReadOnlyList<TraceFile> Traces, string TracesDirectory)
{
    /// <summary>Wraps <paramref name="session"/> (a VM group whose guest replays <see cref="TracesDirectory"/>).</summary>
    public DeferredTestGroup Create(DeferredTestGroup session) => session with
    {
        Description = $"{session.Description}, booted for the traces no earlier group diffed against a kernel",
        Run = ct => Run(session, ct),
    };

    private DeferredGroupResult Run(DeferredTestGroup session, CancellationToken cancellationToken)
    {
        var left = Coverage.NotDiffed(Traces.Select(t => t.CaseName)).ToHashSet(StringComparer.Ordinal);
        if (left.Count == 0)
            return new DeferredGroupResult([new TestCaseResult(session.Name, VmGroupFactory.SessionCase, TestStatus.Skip,
                "not booted: every trace was diffed against a kernel in an earlier group", "", null, DateTimeOffset.UtcNow, TimeSpan.Zero)]);
        WriteSubset([.. Traces.Where(t => left.Contains(t.CaseName))]);
        return session.Run(cancellationToken);
    }

    private void WriteSubset(IReadOnlyList<TraceFile> traces)
    {
        if (Directory.Exists(TracesDirectory)) Directory.Delete(TracesDirectory, recursive: true);
        foreach (TraceFile trace in traces)
        {
            string root = trace.Root ?? Path.GetDirectoryName(trace.Path)!;
            Copy(trace.Path, root);
            for (string? dir = Path.GetDirectoryName(trace.Path); dir is not null && dir.StartsWith(root, StringComparison.Ordinal); dir = Path.GetDirectoryName(dir))
                if (File.Exists(Path.Combine(dir, Conformance.Requirements.RequirementsFile.FileName)))
                    Copy(Path.Combine(dir, Conformance.Requirements.RequirementsFile.FileName), root);
        }
    }

    private void Copy(string file, string root)
    {
        string target = Path.Combine(TracesDirectory, Path.GetRelativePath(root, file));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(file, target, overwrite: true);
    }
}
