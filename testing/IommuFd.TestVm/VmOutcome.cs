namespace IommuFd.TestVm;

/// <summary>How a VM run ended.</summary>
public enum VmOutcome
{
    /// <summary>The guest ran the command to its end and powered off; the exit code is known.</summary>
    Completed,

    /// <summary>The guest did not reach its init script within the boot timeout; QEMU was killed.</summary>
    BootTimeout,

    /// <summary>The command did not finish within the run timeout; QEMU was killed.</summary>
    RunTimeout,

    /// <summary>The guest kernel panicked.</summary>
    GuestPanic,

    /// <summary>QEMU exited before the command finished, without a kernel panic (a QEMU abort or a bad option).</summary>
    QemuCrashed,
}
