namespace IommuFd.Conformance.Random;

/// <summary>Which calls a <see cref="SequenceGenerator"/> may write: what the machine it runs on must offer.</summary>
public enum SequenceScope
{
    /// <summary>The iommufd fd's own ioctls (IOAS, OPTION, DESTROY, the VFIO type1 compat ioctls) over
    /// several fds: no device and no IOMMU_TEST_CMD, so any kernel with /dev/iommu runs them.</summary>
    NoDevices,

    /// <summary>Every family: also mock devices and domains, HWPTs, accesses, dirty tracking, faults through
    /// IOMMU_TEST_CMD. Needs the selftest kernel with the mock IOMMU owning the mock devices (the kernel
    /// tier's virtio-iommu VM).</summary>
    MockDevices,
}
