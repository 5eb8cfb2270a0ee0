namespace IommuFd.HardwareRunner.Hosting;

/// <summary>Which command was asked for, with the arguments that are not configuration.</summary>
/// <param name="Verb"><c>probe</c>, <c>run</c>, <c>vm</c>, <c>replay</c> or <c>diff</c>.</param>
/// <param name="CommandLine">The arguments as given, for the record.</param>
public sealed record VerbRequest(string Verb, string CommandLine)
{
    /// <summary>probe: print JSON instead of a table.</summary>
    public bool Json { get; init; }

    /// <summary>replay, diff: the trace file.</summary>
    public string? TraceFile { get; init; }

    /// <summary>replay: the backend; diff: the first backend.</summary>
    public string Backend { get; init; } = "engine";

    /// <summary>diff: the second backend.</summary>
    public string OtherBackend { get; init; } = "kernel";
}
