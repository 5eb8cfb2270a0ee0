using System.Collections.Concurrent;
using System.Diagnostics;

namespace IommuFd.TestVm;

/// <summary>
/// A running QEMU that can never outlive its host: it runs under a small /bin/sh wrapper whose
/// watchdog kills QEMU within a second of the host process dying (even by SIGKILL), every
/// instance is killed when the host process exits normally, and <see cref="Kill"/> kills the
/// whole tree (wrapper, QEMU, watchdog).
/// </summary>
public sealed class QemuProcess : IDisposable
{
    private const string Wrapper =
        "host=$1; shift; \"$@\" & q=$!; " +
        "( while kill -0 \"$host\" 2>/dev/null && kill -0 \"$q\" 2>/dev/null; do sleep 1; done; kill -9 \"$q\" 2>/dev/null ) >/dev/null 2>&1 </dev/null & " +
        // The watchdog goes with the wrapper, so nothing carrying the VM's name outlives QEMU.
        "w=$!; wait \"$q\"; rc=$?; kill \"$w\" 2>/dev/null; exit $rc";

    private static readonly ConcurrentDictionary<QemuProcess, byte> Live = new();
    private readonly Process _process;

    static QemuProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    private QemuProcess(Process process) => _process = process;

    /// <summary>The wrapper shell's pid (QEMU is its child).</summary>
    public int WrapperPid => _process.Id;

    /// <summary>True once the wrapper (and so QEMU) has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>QEMU's exit code once it has exited (137 if it was killed).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="qemu"/> with <paramref name="arguments"/>; every stdout line goes to
    /// <paramref name="onConsoleLine"/>, every stderr line to <paramref name="onErrorLine"/>.</summary>
    public static QemuProcess Start(string qemu, IReadOnlyList<string> arguments, Action<string> onConsoleLine, Action<string> onErrorLine) =>
        Start(qemu, arguments, onConsoleLine, onErrorLine, Environment.ProcessId);

    /// <summary>As <see cref="Start(string, IReadOnlyList{string}, Action{string}, Action{string})"/>, with the
    /// watchdog guarding <paramref name="hostPid"/> instead of this process (tests use a stand-in host).</summary>
    internal static QemuProcess Start(string qemu, IReadOnlyList<string> arguments, Action<string> onConsoleLine, Action<string> onErrorLine, int hostPid)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Wrapper);
        info.ArgumentList.Add("qemu-wrapper");
        info.ArgumentList.Add(hostPid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add(qemu);
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) onConsoleLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onErrorLine(e.Data); };
        var result = new QemuProcess(process);
        Live[result] = 0;
        try
        {
            process.Start();
        }
        catch
        {
            Live.TryRemove(result, out _);
            process.Dispose();
            throw;
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Completes when QEMU has exited and its output has been read to the end.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Kills the wrapper, QEMU and the watchdog; safe to call at any time, any number of times.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    /// <summary>Kills QEMU if it still runs and releases the process handle.</summary>
    public void Dispose()
    {
        Kill();
        try
        {
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        Live.TryRemove(this, out _);
        _process.Dispose();
    }

    /// <summary>Pids of live processes whose command line contains <paramref name="text"/> (e.g. a VM's name).</summary>
    public static IReadOnlyList<int> FindByCommandLine(string text)
    {
        var found = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == Environment.ProcessId)
                continue;
            try
            {
                string cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                string state = File.ReadAllText(Path.Combine(dir, "stat"));
                bool zombie = state.Length > state.LastIndexOf(')') + 2 && state[state.LastIndexOf(')') + 2] == 'Z';
                if (!zombie && cmdline.Contains(text, StringComparison.Ordinal))
                    found.Add(pid);
            }
            catch (IOException)
            {
                // Exited while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    /// <summary>Kills every QEMU this process started that still runs.</summary>
    public static void KillAll()
    {
        foreach (var qemu in Live.Keys)
            qemu.Kill();
    }
}
