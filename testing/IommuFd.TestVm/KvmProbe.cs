namespace IommuFd.TestVm;

/// <summary>
/// Decides whether KVM works for the test kernel on this host by booting it once under KVM with
/// a short timeout. Nested KVM exists on some hosts but hangs the guest in early boot; then the
/// answer is TCG. The answer is remembered for the life of the process.
/// </summary>
public static class KvmProbe
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static VmAccelerator? _answer;

    /// <summary>Kvm if /dev/kvm exists and a probe boot completes within 20 seconds; otherwise Tcg.</summary>
    public static async Task<VmAccelerator> ResolveAsync(VmOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _answer ??= await ProbeAsync(options, cancellationToken).ConfigureAwait(false);
            return _answer.Value;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<VmAccelerator> ProbeAsync(VmOptions options, CancellationToken cancellationToken)
    {
        if (!File.Exists("/dev/kvm"))
            return VmAccelerator.Tcg;
        string outDirectory = Path.Combine(Path.GetTempPath(), "iommufd-kvm-probe-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var probe = options with
            {
                Accelerator = VmAccelerator.Kvm,
                Iommu = IommuModel.None,
                EduDevices = 0,
                OutDirectory = outDirectory,
                BootTimeout = TimeSpan.FromSeconds(15),
                RunTimeout = TimeSpan.FromSeconds(20),
            };
            var result = await VmLauncher.RunAsync(probe, new GuestCommand("true"), cancellationToken).ConfigureAwait(false);
            return result.Outcome == VmOutcome.Completed && result.ExitCode == 0 ? VmAccelerator.Kvm : VmAccelerator.Tcg;
        }
        finally
        {
            try { Directory.Delete(outDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
