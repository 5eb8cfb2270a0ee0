namespace IommuFd.HardwareRunner.Results;

/// <summary>Renders a run into one file of the output folder.</summary>
public interface IRunFileWriter
{
    /// <summary>File name inside the output folder, e.g. <c>junit.xml</c>.</summary>
    string FileName { get; }

    /// <summary>The whole file's content for <paramref name="run"/>.</summary>
    string Render(RunSnapshot run);
}
