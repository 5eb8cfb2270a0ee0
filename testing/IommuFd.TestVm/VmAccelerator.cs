namespace IommuFd.TestVm;

/// <summary>How QEMU executes the guest.</summary>
public enum VmAccelerator
{
    /// <summary>Software emulation (<c>-accel tcg,thread=multi</c>): slow but works everywhere.</summary>
    Tcg,

    /// <summary>Hardware virtualisation (<c>-accel kvm</c>). Nested KVM hangs on some hosts.</summary>
    Kvm,

    /// <summary>KVM if a short probe boot succeeds on this host, otherwise TCG.</summary>
    Auto,
}
