using System.Diagnostics;
using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Results;

/// <summary>Reports each case to a LAVA job with <c>lava-test-case NAME --result pass|fail|skip|unknown</c>
/// (LAVA prints it on the console as <c>&lt;LAVA_SIGNAL_TESTCASE ...&gt;</c>), each group's cases inside
/// <c>lava-test-set start GROUP</c> ... <c>lava-test-set stop</c> when that helper sits next to it.
/// Only active when the helper is on PATH, i.e. inside a LAVA test shell.</summary>
public sealed class LavaSink(string helperPath, Action<string>? onError = null) : IResultSink
{
    /// <summary>The LAVA helper's full path when it is on PATH, else null.</summary>
    public static string? FindHelper(string? pathVariable = null)
    {
        foreach (string dir in (pathVariable ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "lava-test-case");
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>LAVA's result word for a status.</summary>
    public static string ResultOf(TestStatus status) => status switch
    {
        TestStatus.Pass or TestStatus.XFail => "pass",
        TestStatus.Fail or TestStatus.XPass or TestStatus.Error or TestStatus.Timeout => "fail",
        TestStatus.Skip => "skip",
        _ => "unknown",
    };

    // LAVA test case and set names allow letters, digits, '_', '-' and '.'.
    /// <inheritdoc />
    public void CaseFinished(TestCaseResult result) =>
        Call(helperPath, KcidbWriter.PathOf(result.Path), "--result", ResultOf(result.Status));

    /// <inheritdoc />
    public void RunStarted(RunEnvironment environment, int groupCount) { }

    /// <inheritdoc />
    public void GroupStarted(TestGroup group, int caseCount)
    {
        if (SetHelper() is { } sets) Call(sets, "start", KcidbWriter.PathOf(group.Name));
    }

    /// <inheritdoc />
    public void GroupFinished(TestGroup group, string? incomplete)
    {
        if (SetHelper() is { } sets) Call(sets, "stop");
    }

    private string? SetHelper()
    {
        string sets = Path.Combine(Path.GetDirectoryName(helperPath) ?? ".", "lava-test-set");
        return File.Exists(sets) ? sets : null;
    }

    private void Call(string helper, params string[] arguments)
    {
        var start = new ProcessStartInfo(helper) { UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        string call = $"{Path.GetFileName(helper)} {string.Join(' ', arguments)}";
        try
        {
            using Process? process = Process.Start(start);
            if (process is not null && !process.WaitForExit(TimeSpan.FromSeconds(30)))
                onError?.Invoke($"{call} did not return within 30 s");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            onError?.Invoke($"{call} failed: {e.Message}");
        }
    }

    /// <inheritdoc />
    public void RunFinished(string? incomplete) { }
}
