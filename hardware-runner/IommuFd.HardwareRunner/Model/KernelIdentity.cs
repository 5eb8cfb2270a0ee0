namespace IommuFd.HardwareRunner.Model;

/// <summary>Which kernel a group of results holds to account (KCIDB's "build").</summary>
/// <param name="Release">Kernel release as <c>uname -r</c> prints it, e.g. <c>6.12.117</c>.</param>
/// <param name="ConfigHash">SHA-256 of the kernel's .config text, or <c>unknown</c>.</param>
/// <param name="Description">Where it came from, e.g. <c>host kernel</c> or <c>test kernel (VM, intel)</c>.</param>
public sealed record KernelIdentity(string Release, string ConfigHash, string Description);
