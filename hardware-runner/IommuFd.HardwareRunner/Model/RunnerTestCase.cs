namespace IommuFd.HardwareRunner.Model;

/// <summary>A test case ready to run: a name and a body. The body gets a token that is cancelled
/// when the case or the run times out; a body stuck in the kernel may ignore it, and is then
/// abandoned (see <see cref="Execution.AbandonableCall"/>).</summary>
/// <param name="Name">kselftest-style <c>suite.fixture.case</c> name; segments use <c>[a-zA-Z0-9_-]</c>.</param>
/// <param name="Body">The work. May throw: the executor turns that into an ERROR result.</param>
/// <param name="Timeout">Own time limit; null means the configured per-test timeout.</param>
public sealed record RunnerTestCase(string Name, Func<CancellationToken, CaseOutcome> Body, TimeSpan? Timeout = null);
