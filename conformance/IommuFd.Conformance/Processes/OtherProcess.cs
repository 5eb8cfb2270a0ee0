using System.Diagnostics;
using System.Globalization;
using IommuFd.Bindings.Backends;
using IommuFd.Engine;

namespace IommuFd.Conformance.Processes;

/// <summary>
/// A second process of a trace (the "fork" of the selftests' fork_gone and fork_present): a small
/// python3 helper (other_process.py) with its own memory that shares the replaying process's fds
/// (it duplicates them with pidfd_getfd: the same open files, as a forked child inherits them).
/// .NET cannot fork; spawning a helper gives a real second mm on every backend. On the kernel the
/// helper issues its ioctls itself; on the engine they go through <see cref="EngineBackend.IoctlAs"/>
/// with the helper's memory as current-&gt;mm. Either way the argument struct lives in the helper.
/// </summary>
public sealed class OtherProcess : IDisposable
{
    private const string Script = "other_process.py";
    private readonly Process _process;
    private EngineProcess? _engineView;
    private ulong _scratch, _scratchLength;

    private OtherProcess(Process process, int pid)
    {
        _process = process;
        Pid = pid;
    }

    /// <summary>The helper's pid.</summary>
    public int Pid { get; }

    /// <summary>True once <see cref="Exit"/> ran (or the helper died).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts the helper (python3 on PATH, as on the host and in the test VM, whose root is the
    /// host's).</summary>
    /// <exception cref="InvalidOperationException">It did not start or did not report ready.</exception>
    public static OtherProcess Start()
    {
        // Next to the assemblies: the build output, or a single-file release's folder.
        string script = Path.Combine(AppContext.BaseDirectory, "Processes", Script);
        var info = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Process process = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start");
        string? ready = process.StandardOutput.ReadLine();
        if (ready is null || !ready.StartsWith("ready ", StringComparison.Ordinal))
        {
            process.Kill();
            process.WaitForExit();
            throw new InvalidOperationException($"{Script} did not start: '{ready}'");
        }
        return new OtherProcess(process, int.Parse(ready.AsSpan(6), CultureInfo.InvariantCulture));
    }

    /// <summary>Zero-filled memory of the helper, 2 MiB aligned like a replay's own buffers.</summary>
    public ulong Allocate(ulong length) => ulong.Parse(Command($"alloc {length}"), CultureInfo.InvariantCulture);

    /// <summary>Writes bytes into the helper's memory.</summary>
    public void Write(ulong address, ReadOnlySpan<byte> data) => Command($"write {address} {Convert.ToHexStringLower(data)}");

    /// <summary>Reads bytes of the helper's memory.</summary>
    public byte[] Read(ulong address, int length) =>
        length == 0 ? [] : Convert.FromHexString(Command($"read {address} {length}"));

    /// <summary>ioctl(2) issued by the helper on the replaying process's fd <paramref name="fd"/>, with
    /// <paramref name="argument"/> given as is: the kernel's answer, or a negative errno; on the engine
    /// the engine's answer for the same call made from the helper's mm.</summary>
    public long Ioctl(IIommuBackend backend, int fd, uint request, ulong argument)
    {
        switch (backend)
        {
            case EngineBackend engine:
                _engineView ??= EngineProcess.Attach(Pid)
                    ?? throw new InvalidOperationException($"the engine cannot attach to process {Pid}");
                return engine.IoctlAs(_engineView, fd, request, argument);
            case KernelBackend:
                string[] words = Command($"ioctl {fd} {request} {argument}").Split(' ');
                long rc = long.Parse(words[0], CultureInfo.InvariantCulture);
                return rc >= 0 ? rc : -int.Parse(words[1], CultureInfo.InvariantCulture);
            default:
                throw new NotSupportedException($"backend '{backend.Name}' cannot take ioctls from another process");
        }
    }

    /// <summary>The same with the argument struct <paramref name="bytes"/> copied into the helper's memory
    /// first and back after the call.</summary>
    public long Ioctl(IIommuBackend backend, int fd, uint request, Span<byte> bytes)
    {
        if ((ulong)bytes.Length > _scratchLength)
        {
            _scratchLength = Math.Max((ulong)bytes.Length, 4096);
            _scratch = Allocate(_scratchLength);
        }
        Write(_scratch, bytes);
        long rc = Ioctl(backend, fd, request, _scratch);
        Read(_scratch, bytes.Length).CopyTo(bytes);
        return rc;
    }

    /// <summary>Ends the helper (exit status 0) and waits for it: its mm is gone.</summary>
    public int Exit()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.WriteLine("exit");
            _process.StandardInput.Flush();
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    private string Command(string line)
    {
        if (_process.HasExited)
            throw new InvalidOperationException($"process {Pid} has exited");
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
        string answer = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"process {Pid} ended during '{line.Split(' ')[0]}'");
        if (answer == "ok")
            return "";
        if (!answer.StartsWith("ok ", StringComparison.Ordinal))
            throw new InvalidOperationException($"process {Pid}: {answer}");
        return answer[3..];
    }

    /// <summary>Kills the helper if it still runs.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
