using IommuFd.Bindings.Backends;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>Every trace of the repository and of <see cref="SuiteTraces"/> names real ioctls and
/// fields of the generated layer and replays as written (on a backend that accepts every call),
/// so a typo in a trace fails here, on any machine, and not only in the kernel VM.</summary>
public sealed class TraceFilesTests
{
    public static IEnumerable<string> Names() => DifferentialTestsNames();

    private static IEnumerable<string> DifferentialTestsNames() => Suite.DifferentialTests.TraceNames();

    [Test]
    public void TheRepositoryHasTraces() =>
        Assert.That(TraceFiles.All().Count(), Is.GreaterThanOrEqualTo(30));

    [TestCaseSource(nameof(Names))]
    public void ReplaysAsWritten(string name)
    {
        Trace trace = name.StartsWith("code/", StringComparison.Ordinal)
            ? SuiteTraces.All().Single(t => t.Name == name)
            : Trace.Load(Path.Combine(TraceFiles.Directory, name));
        var results = TraceReplayer.Replay(new AcceptingBackend(), trace);
        Assert.That(results, Has.Count.EqualTo(trace.Steps.Count));
        if (!name.StartsWith("code/", StringComparison.Ordinal))
            Assert.That(Trace.Parse(trace.Name, trace.ToJsonLines()).ToJsonLines(), Is.EqualTo(File.ReadAllText(Path.Combine(TraceFiles.Directory, name))),
                        "trace files are stored in canonical form");
    }

    private sealed unsafe class AcceptingBackend : IIommuBackend
    {
        public string Name => "accepting";
        public int Open(string path) => 3;
        public int Close(int fd) => 0;
        public long Read(int fd, Span<byte> buffer, long offset = -1) => 0;
        public long Write(int fd, ReadOnlySpan<byte> buffer, long offset = -1) => buffer.Length;
        public UserMemory Allocate(nuint length) => UserMemory.Map(length);
        public UserMemory AllocateHugetlb(nuint length) => UserMemory.MapSharedAligned(length, (nuint)UserMemory.HugePageSize);
        public int Ioctl(int fd, uint request, void* argument) => 0;
        public void Dispose() { }
    }
}
