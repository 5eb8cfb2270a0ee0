using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Results;
using Microsoft.Extensions.Logging;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>Where a run's results go as they come: KTAP on stdout, the output folder's files (summary.json,
/// junit.xml, kcidb.json, report.md, results.jsonl), progress on stderr, and LAVA's signals when asked for
/// and lava-test-case is there.</summary>
public static class RunSinks
{
    /// <summary>The sinks of a run writing to <paramref name="output"/>.</summary>
    public static List<IResultSink> Create(RunnerOptions o, string output, ConsoleStreams console, ILogger logger)
    {
        IRunFileWriter[] writers = [new SummaryJsonWriter(), new JunitXmlWriter(), new KcidbWriter(OutputUrl(o, output)), new MarkdownReportWriter()];
        var sinks = new List<IResultSink>
        {
            new KtapSink(console.Out),
            new ResultStore(output, writers, TimeSpan.FromMilliseconds(o.ReportRewriteIntervalMilliseconds)),
            new ProgressSink(console.Error, console.ErrorIsTerminal),
        };
        if (o.LavaMode == LavaMode.Auto && LavaSink.FindHelper() is { } helper)
            sinks.Add(new LavaSink(helper, m => Log.LavaProblem(logger, m)));
        return sinks;
    }

    /// <summary>Where the output folder is published (<see cref="RunnerOptions.ArtifactsUrl"/>), else its own <c>file://</c> URL.</summary>
    public static Uri OutputUrl(RunnerOptions o, string output) =>
        new(o.ArtifactsUrl.Length > 0 ? o.ArtifactsUrl.TrimEnd('/') + "/" : Path.TrimEndingDirectorySeparator(output) + "/");
}
