using IommuFd.HardwareRunner.Model;
using Microsoft.Extensions.Options;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>Checks every path the verb will use before anything runs: what it reads must exist,
/// the output folder must be writable and, when named, have a parent that exists (the default
/// folder is created with its parents). Each problem names the setting, its option and the path.</summary>
public sealed class RunnerPathsValidator(VerbRequest request) : IValidateOptions<RunnerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RunnerOptions o)
    {
        var problems = new List<string>();
        if (o.VmSettings.KernelImage.Length > 0 && !File.Exists(o.VmSettings.KernelImage))
            problems.Add($"VmSettings:KernelImage (--kernel): {Path.GetFullPath(o.VmSettings.KernelImage)} does not exist");
        if (request.Verb is "run" or "vm")
        {
            if (o.TracesDirectory.Length > 0 && !Directory.Exists(o.TracesDirectory))
                problems.Add($"TracesDirectory (--traces): folder {Path.GetFullPath(o.TracesDirectory)} does not exist");
            foreach (string assembly in o.NUnitAssemblies.Where(a => !File.Exists(a)))
                problems.Add($"NUnitAssemblies (--nunit): {Path.GetFullPath(assembly)} does not exist");
            if (OutputProblem(o.OutputDirectory, named: o.OutputDirectory != RunnerOptions.DefaultOutputDirectory) is { } output)
                problems.Add($"OutputDirectory (--output): {output}");
        }
        if (request.Verb is "replay" or "diff" && !File.Exists(request.TraceFile))
            problems.Add($"trace file {Path.GetFullPath(request.TraceFile ?? "")} does not exist");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Why results cannot go to <paramref name="output"/>, or null. Writing is tried with a
    /// file that deletes itself, in the folder or in the closest one above it that exists.</summary>
    private static string? OutputProblem(string output, bool named)
    {
        if (output.Length == 0) return null; // reported by RunnerOptionsValidator
        string full = Path.GetFullPath(output);
        if (File.Exists(full)) return $"{full} is a file, not a folder";
        string? existing = full;
        while (existing is not null && !Directory.Exists(existing))
            existing = Path.GetDirectoryName(existing);
        string parent = Path.GetDirectoryName(full) ?? full;
        if (existing is null || (named && existing != full && existing != parent))
            return $"the parent folder {parent} does not exist";
        try
        {
            using (new FileStream(Path.Combine(existing, $".{RunnerProgram.Name}.write-test.{Environment.ProcessId}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{existing} cannot be written: {e.Message}";
        }
    }
}
