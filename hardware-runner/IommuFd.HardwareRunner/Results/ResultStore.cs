using System.Text.Json;
using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Results;

/// <summary>Keeps the output folder true at every moment. Each result is appended to
/// <c>results.jsonl</c> at once, and a shrunk divergence it carries is saved as its repro file
/// (<see cref="ReproFiles"/>) before that; the rendered files (summary, JUnit, KCIDB, report) are rewritten
/// atomically at group and run boundaries and, between them, at most once per
/// <paramref name="rewriteInterval"/>. Until the run ends they say <c>running</c>, so a run that
/// was killed is never mistaken for a finished one.</summary>
public sealed class ResultStore(string outputDirectory, IReadOnlyList<IRunFileWriter> writers, TimeSpan rewriteInterval, TimeProvider? time = null)
    : IResultSink
{
    /// <summary>The append-only journal of results, one JSON object a line.</summary>
    public const string JournalFileName = "results.jsonl";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly List<MutableGroup> _groups = [];
    private RunEnvironment? _environment;
    private DateTimeOffset _started;
    private DateTimeOffset _lastWrite = DateTimeOffset.MinValue;
    private RunState _state = RunState.Running;
    private string? _incomplete;

    /// <summary>The folder results go to.</summary>
    public string OutputDirectory => outputDirectory;

    /// <inheritdoc />
    public void RunStarted(RunEnvironment environment, int groupCount)
    {
        _environment = environment;
        _started = _time.GetUtcNow();
        Directory.CreateDirectory(outputDirectory);
        File.WriteAllText(Path.Combine(outputDirectory, JournalFileName), "");
        // Repro files of an earlier run in this folder would be taken for this run's.
        string repro = Path.Combine(outputDirectory, ReproFiles.Folder);
        if (Directory.Exists(repro)) Directory.Delete(repro, recursive: true);
        WriteAll();
    }

    /// <inheritdoc />
    public void GroupStarted(TestGroup group, int caseCount)
    {
        _groups.Add(new MutableGroup(group.Name, group.Description, group.Kernel, caseCount));
        WriteAll();
    }

    /// <inheritdoc />
    public void CaseFinished(TestCaseResult result)
    {
        _groups[^1].Results.Add(result);
        if (result.Repro is not null)
            AtomicFile.WriteAllText(Path.Combine(outputDirectory, ReproFiles.RelativePath(result)), result.Repro);
        using (var journal = new FileStream(Path.Combine(outputDirectory, JournalFileName), FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            journal.Write(JsonSerializer.SerializeToUtf8Bytes(result, RunJson.Options));
            journal.WriteByte((byte)'\n');
            // Reaching the page cache is enough to survive the process being killed; no fsync per result.
            journal.Flush();
        }
        if (_time.GetUtcNow() - _lastWrite >= rewriteInterval)
            WriteAll();
    }

    /// <inheritdoc />
    public void GroupFinished(TestGroup group, string? incomplete)
    {
        _groups[^1].Incomplete = incomplete;
        WriteAll();
    }

    /// <inheritdoc />
    public void RunFinished(string? incomplete)
    {
        _incomplete = incomplete ?? _groups.Select(g => g.Incomplete).FirstOrDefault(i => i is not null);
        _state = _incomplete is null ? RunState.Complete : RunState.Incomplete;
        WriteAll();
    }

    /// <summary>The run as it stands.</summary>
    public RunSnapshot Snapshot() => new(
        _environment ?? throw new InvalidOperationException("the run has not started"),
        _state,
        _state == RunState.Running ? "run in progress, or cut off before it could finish" : _incomplete,
        _started,
        _time.GetUtcNow(),
        [.. _groups.Select(g => new GroupSnapshot(g.Name, g.Description, g.Kernel, g.Planned, [.. g.Results], g.Incomplete))]);

    private void WriteAll()
    {
        RunSnapshot snapshot = Snapshot();
        foreach (IRunFileWriter writer in writers)
            AtomicFile.WriteAllText(Path.Combine(outputDirectory, writer.FileName), writer.Render(snapshot));
        _lastWrite = _time.GetUtcNow();
    }

    private sealed class MutableGroup(string name, string description, KernelIdentity? kernel, int planned)
    {
        public string Name => name;
        public string Description => description;
        public KernelIdentity? Kernel => kernel;
        public int Planned => planned;
        public List<TestCaseResult> Results { get; } = [];
        public string? Incomplete { get; set; }
    }
}
