using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Results;

/// <summary>Where a shrunk divergence is kept in the output folder: <c>repro/&lt;case&gt;.jsonl</c>,
/// the case being its dotted path (<c>diff_engine_kernel.iommufd.random.seed_7</c>). The file is a
/// trace as <c>replay</c> and <c>diff</c> read it.</summary>
public static class ReproFiles
{
    /// <summary>The folder, inside the output folder.</summary>
    public const string Folder = "repro";

    /// <summary>The file's name: the case's path and <c>.jsonl</c>.</summary>
    public static string FileName(TestCaseResult result) => KcidbWriter.PathOf(result.Path) + ".jsonl";

    /// <summary>The file's path relative to the output folder, with <c>/</c>.</summary>
    public static string RelativePath(TestCaseResult result) => $"{Folder}/{FileName(result)}";
}
