using System.Diagnostics;
using System.Text;

namespace IommuFd.TestVm;

/// <summary>Boots the test kernel in QEMU, runs one command inside, and reports how it went.</summary>
public static class VmLauncher
{
    /// <summary>The console line the kernel prints when it panics.</summary>
    public const string PanicText = "Kernel panic - not syncing";

    /// <summary>How long a guest that has printed its exit code gets to power off.</summary>
    private static readonly TimeSpan PowerOffGrace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs <paramref name="command"/> in a fresh VM. Never leaves QEMU running: on timeout, panic,
    /// crash, cancellation or an exception QEMU is killed before this returns or throws.
    /// </summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> fires (QEMU is killed first).</exception>
    /// <exception cref="FileNotFoundException">When the kernel image is missing.</exception>
    public static async Task<VmResult> RunAsync(VmOptions options, GuestCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(command);
        if (!File.Exists(options.KernelImage))
            throw new FileNotFoundException($"test kernel not found: {options.KernelImage} (build it with hardware-runner/kernel/build-kernel.sh)", options.KernelImage);
        if (!options.Architecture.SharesHostRoot && (options.GuestRoot is null || !File.Exists(Path.Combine(options.GuestRoot, GuestPaths.Bootstrap.TrimStart('/')))))
            throw new FileNotFoundException($"the {options.Architecture.Name} guest needs its root file system with {GuestPaths.Bootstrap} (build it with {GuestUserland.BuildScript}); got {options.GuestRoot ?? "none"}");

        string outDirectory = Path.GetFullPath(options.OutDirectory);
        Directory.CreateDirectory(outDirectory);
        string initPath = Path.Combine(outDirectory, "init.sh");
        await File.WriteAllTextAsync(initPath, InitScript.Render(command, options.Iommu), cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(initPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        // KVM only runs guests of the host's architecture.
        VmAccelerator accelerator = !options.Architecture.SharesHostRoot ? VmAccelerator.Tcg
            : options.Accelerator == VmAccelerator.Auto ? await KvmProbe.ResolveAsync(options, cancellationToken).ConfigureAwait(false)
            : options.Accelerator;
        string name = "iommufd-testvm-" + Guid.NewGuid().ToString("N")[..12];
        var arguments = QemuCommandLine.Build(options, accelerator, initPath, outDirectory, name);
        await File.WriteAllTextAsync(Path.Combine(outDirectory, "qemu-command.txt"),
            options.Qemu + " " + string.Join(' ', arguments.Select(a => InitScript.Quote(a))) + "\n", cancellationToken).ConfigureAwait(false);

        var watch = Stopwatch.StartNew();
        var run = new RunState(Path.Combine(outDirectory, "console.log"), watch);
        using var qemu = QemuProcess.Start(options.Qemu, arguments, run.OnConsoleLine, run.OnErrorLine);
        try
        {
            VmOutcome? timedOut = await WaitAsync(qemu, run, options, cancellationToken).ConfigureAwait(false);
            qemu.Kill();
            await WaitForKilledAsync(qemu).ConfigureAwait(false);
            return run.ToResult(timedOut, outDirectory, accelerator, name);
        }
        finally
        {
            qemu.Kill();
            run.Close();
        }
    }

    /// <summary>Waits (briefly) until a killed QEMU is gone and its output is read to the end.</summary>
    private static async Task WaitForKilledAsync(QemuProcess qemu)
    {
        try
        {
            await qemu.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Killed but its pipes are still open; the result is built from what was read.
        }
    }

    /// <summary>Waits for QEMU to exit; returns the timeout outcome if one fired first.</summary>
    private static async Task<VmOutcome?> WaitAsync(QemuProcess qemu, RunState run, VmOptions options, CancellationToken cancellationToken)
    {
        using var timers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            Task exited = qemu.WaitForExitAsync(CancellationToken.None);
            Task bootDeadline = Task.Delay(options.BootTimeout, timers.Token);
            Task runDeadline = Task.Delay(options.RunTimeout, timers.Token);
            while (true)
            {
                Task first = await Task.WhenAny(exited, bootDeadline, runDeadline, run.Finished, run.Panicked).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                {
                    qemu.Kill();
                    cancellationToken.ThrowIfCancellationRequested();
                }
                if (first == exited)
                    return null;
                if (first == bootDeadline)
                {
                    if (!run.Booted.IsCompleted)
                        return VmOutcome.BootTimeout;
                    bootDeadline = Task.Delay(Timeout.Infinite, timers.Token);
                    continue;
                }
                if (first == runDeadline)
                    return VmOutcome.RunTimeout;
                // The exit code or a panic is on the console: give QEMU a moment to power off or exit.
                await Task.WhenAny(exited, Task.Delay(PowerOffGrace, timers.Token)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                return null;
            }
        }
        finally
        {
            await timers.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Console bookkeeping for one run: the log file, markers seen, timings.</summary>
    private sealed class RunState(string consoleLogPath, Stopwatch watch)
    {
        private readonly object _gate = new();
        private readonly StringBuilder _console = new();
        private readonly StringBuilder _errors = new();
        private readonly StreamWriter _log = new(consoleLogPath, append: false, Encoding.UTF8) { AutoFlush = true };
        private readonly TaskCompletionSource _booted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _panicked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TimeSpan? _bootTime;
        private int? _exitCode;
        private bool _closed;

        public Task Booted => _booted.Task;
        public Task Finished => _finished.Task;
        public Task Panicked => _panicked.Task;

        public void OnConsoleLine(string raw)
        {
            string line = raw.TrimEnd('\r');
            lock (_gate)
            {
                _console.Append(line).Append('\n');
                if (!_closed)
                    _log.WriteLine(line);
                if (line.EndsWith(InitScript.BootMarker, StringComparison.Ordinal) && _bootTime is null)
                {
                    _bootTime = watch.Elapsed;
                    _booted.TrySetResult();
                }
                else if (_exitCode is null && ExitCodeIn(line) is { } code)
                {
                    _exitCode = code;
                    _finished.TrySetResult();
                }
                else if (line.Contains(PanicText, StringComparison.Ordinal) && !_finished.Task.IsCompleted)
                {
                    _panicked.TrySetResult();
                }
            }
        }

        /// <summary>The code of an exit marker anywhere in the line (kernel messages may share the line).</summary>
        private static int? ExitCodeIn(string line)
        {
            int at = line.IndexOf(InitScript.ExitMarker, StringComparison.Ordinal);
            if (at < 0)
                return null;
            var rest = line.AsSpan(at + InitScript.ExitMarker.Length);
            int digits = 0;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
                digits++;
            return int.TryParse(rest[..digits], out int code) ? code : null;
        }

        public void OnErrorLine(string line)
        {
            lock (_gate)
                _errors.Append(line).Append('\n');
        }

        public VmResult ToResult(VmOutcome? timedOut, string outDirectory, VmAccelerator accelerator, string name)
        {
            lock (_gate)
            {
                VmOutcome outcome = _panicked.Task.IsCompleted ? VmOutcome.GuestPanic
                    : _exitCode is not null ? VmOutcome.Completed
                    : timedOut ?? VmOutcome.QemuCrashed;
                string dmesgPath = Path.Combine(outDirectory, "dmesg.txt");
                if (_errors.Length > 0)
                    File.WriteAllText(Path.Combine(outDirectory, "qemu-stderr.log"), _errors.ToString());
                return new VmResult
                {
                    Outcome = outcome,
                    ExitCode = outcome == VmOutcome.Completed ? _exitCode : null,
                    Console = _console.ToString(),
                    QemuErrors = _errors.ToString(),
                    OutDirectory = outDirectory,
                    Dmesg = File.Exists(dmesgPath) ? File.ReadAllText(dmesgPath) : null,
                    BootTime = _bootTime,
                    Elapsed = watch.Elapsed,
                    Accelerator = accelerator,
                    VmName = name,
                };
            }
        }

        public void Close()
        {
            lock (_gate)
            {
                if (_closed)
                    return;
                _closed = true;
                _log.Dispose();
            }
        }
    }
}
