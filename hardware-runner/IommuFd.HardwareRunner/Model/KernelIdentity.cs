namespace IommuFd.HardwareRunner.Model;

/// <summary>Which kernel a group of results holds to account (KCIDB's "build"), and the source it
/// was built from (KCIDB's "checkout").</summary>
/// <param name="Release">Kernel release as <c>uname -r</c> prints it, e.g. <c>6.12.117</c>.</param>
/// <param name="ConfigHash">SHA-256 of the kernel's .config text, or <c>unknown</c>.</param>
/// <param name="Description">Where it came from, e.g. <c>host kernel</c> or <c>test kernel (VM, intel)</c>.</param>
public sealed record KernelIdentity(string Release, string ConfigHash, string Description)
{
    /// <summary>The Debian source package it was built from (<c>linux</c> for Debian's own kernel
    /// images, <c>linux-source-6.12</c> for the test kernel), or null when unknown.</summary>
    public string? SourcePackage { get; init; }

    /// <summary>That package's version, e.g. <c>6.12.118-1~deb12u1</c>, or null when unknown.</summary>
    public string? SourceVersion { get; init; }

    /// <summary>The kernel's architecture (<c>x86_64</c>, <c>arm64</c>) where it is not the host's (a test kernel
    /// under QEMU), or null: the run's.</summary>
    public string? Architecture { get; init; }

    /// <summary>The kernel's own banner, <c>/proc/version</c>, or null when not read.</summary>
    public string? Banner { get; init; }

    /// <summary>True when no such kernel was there to test (e.g. the test kernel could not be built);
    /// its results did not run on any kernel.</summary>
    public bool Missing { get; init; }

    /// <summary>A kernel that should have been tested but was not available.</summary>
    public static KernelIdentity Unavailable(string description) => new("unknown", "unknown", description) { Missing = true };
}
