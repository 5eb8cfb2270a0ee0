namespace IommuFd.TestVm;

/// <summary>What a VM run produced. Every file the guest wrote stays in <see cref="OutDirectory"/>,
/// whatever the outcome.</summary>
public sealed record VmResult
{
    /// <summary>How the run ended.</summary>
    public required VmOutcome Outcome { get; init; }

    /// <summary>The command's exit status; set only when <see cref="Outcome"/> is <see cref="VmOutcome.Completed"/>.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The guest's serial console: kernel messages at warning level and above, init's and the command's output.</summary>
    public required string Console { get; init; }

    /// <summary>QEMU's own standard error (bad options, device aborts).</summary>
    public required string QemuErrors { get; init; }

    /// <summary>The host directory shared with the guest as its out folder.</summary>
    public required string OutDirectory { get; init; }

    /// <summary>The guest's full kernel log, written by init after the command; null if the guest did not get that far.</summary>
    public string? Dmesg { get; init; }

    /// <summary>Time from starting QEMU to the guest's init script running; null if it never ran.</summary>
    public TimeSpan? BootTime { get; init; }

    /// <summary>Time from starting QEMU to the end of the run.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The QEMU <c>-name</c> of the run (unique), for finding its processes.</summary>
    public required string VmName { get; init; }

    /// <summary>The accelerator the run used.</summary>
    public required VmAccelerator Accelerator { get; init; }

    /// <summary>One line for test messages, with the tail of the console when the run did not complete.</summary>
    public string Describe()
    {
        string head = Outcome == VmOutcome.Completed
            ? $"VM completed, exit code {ExitCode}, in {Elapsed.TotalSeconds:F1} s"
            : $"VM run ended with {Outcome} after {Elapsed.TotalSeconds:F1} s (boot {(BootTime is { } b ? $"{b.TotalSeconds:F1} s" : "not reached")})";
        if (Outcome == VmOutcome.Completed)
            return head;
        var tail = Console.Split('\n').TakeLast(25);
        string errors = QemuErrors.Length > 0 ? $"\nQEMU stderr:\n{QemuErrors.Trim()}" : "";
        return $"{head}; out folder {OutDirectory}\nconsole tail:\n{string.Join('\n', tail)}{errors}";
    }
}
