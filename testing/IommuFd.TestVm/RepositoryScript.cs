using System.Diagnostics;

namespace IommuFd.TestVm;

/// <summary>Runs one of the repository's bash scripts and returns what it printed.</summary>
internal static class RepositoryScript
{
    /// <summary>The standard output of <paramref name="script"/> (relative to <paramref name="root"/>) run with
    /// <paramref name="arguments"/>, or null when it failed or bash is missing.</summary>
    public static string? Output(string root, string script, params string[] arguments)
    {
        try
        {
            var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(Path.Combine(root, script));
            foreach (string a in arguments)
                info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            _ = process.StandardError.ReadToEndAsync(); // drained so the script never blocks on a full pipe
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no bash on this host
        }
    }
}
