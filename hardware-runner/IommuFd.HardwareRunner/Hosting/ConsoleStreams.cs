namespace IommuFd.HardwareRunner.Hosting;

/// <summary>Where verbs print: KTAP and probe output on <see cref="Out"/>, progress on <see cref="Error"/>.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="ErrorIsTerminal">True when stderr is a terminal (live progress line), false for logs and pipes.</param>
public sealed record ConsoleStreams(TextWriter Out, TextWriter Error, bool ErrorIsTerminal)
{
    /// <summary>The process's own console.</summary>
    public static ConsoleStreams System() => new(Console.Out, Console.Error, !Console.IsErrorRedirected);
}
