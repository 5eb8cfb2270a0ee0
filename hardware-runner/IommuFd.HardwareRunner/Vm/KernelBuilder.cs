using System.Diagnostics;
using IommuFd.HardwareRunner.Probe;

namespace IommuFd.HardwareRunner.Vm;

/// <summary>Builds the test kernel of <paramref name="series"/> (empty: the script's default, lts) for
/// <paramref name="architecture"/> (x86_64 or arm64) with <c>hardware-runner/kernel/build-kernel.sh</c>
/// (which caches it); the script's progress goes to <paramref name="progress"/>, its last stdout line is the image.</summary>
public sealed class KernelBuilder(string script, string series, string architecture, Action<string> progress)
{
    /// <summary>Runs the script; returns the kernel, or throws with the script's last words.</summary>
    public TestKernelInfo Build(CancellationToken cancellationToken)
    {
        if (!File.Exists(script))
            throw new FileNotFoundException($"kernel build script not found: {script}", script);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        if (series.Length > 0)
            start.ArgumentList.Add(series);
        start.ArgumentList.Add("--arch");
        start.ArgumentList.Add(architecture);
        using var process = new Process { StartInfo = start };
        string lastOut = "";
        var tail = new Queue<string>();
        process.OutputDataReceived += (_, e) => { if (!string.IsNullOrWhiteSpace(e.Data)) lastOut = e.Data.Trim(); };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            progress(e.Data);
            lock (tail) { tail.Enqueue(e.Data); if (tail.Count > 20) tail.Dequeue(); }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancellationToken.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
            process.WaitForExit();
        cancellationToken.ThrowIfCancellationRequested();
        if (process.ExitCode != 0 || !File.Exists(lastOut))
            throw new InvalidOperationException($"{script} failed (exit {process.ExitCode}):\n{string.Join('\n', tail)}");
        return TestKernelInfo.FromImage(lastOut);
    }
}
