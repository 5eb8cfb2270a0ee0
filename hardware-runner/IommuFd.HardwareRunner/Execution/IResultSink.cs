using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Execution;

/// <summary>Receives results as they arrive: the KTAP stream, the files on disk, LAVA signals,
/// progress. Called from one thread, in order.</summary>
public interface IResultSink
{
    /// <summary>The run begins with <paramref name="groupCount"/> groups.</summary>
    void RunStarted(RunEnvironment environment, int groupCount);

    /// <summary>A group begins and will report <paramref name="caseCount"/> cases.</summary>
    void GroupStarted(TestGroup group, int caseCount);

    /// <summary>One case has a result.</summary>
    void CaseFinished(TestCaseResult result);

    /// <summary>The group has reported all its cases.</summary>
    /// <param name="group">The group.</param>
    /// <param name="incomplete">Why it stopped early, or null.</param>
    void GroupFinished(TestGroup group, string? incomplete);

    /// <summary>The run has ended.</summary>
    /// <param name="incomplete">Why it ended early (timeout, signal), or null when it ran to the end.</param>
    void RunFinished(string? incomplete);
}
