using IommuFd.Engine.Domains;

namespace IommuFd.Engine.Objects;

/// <summary>iommufd_hwpt_nested: a user-managed (stage-1) domain on top of a NEST_PARENT paging HWPT,
/// directly or (7.3) through a vIOMMU. Holds a users reference on the vIOMMU if it has one, else on its
/// parent (so their DESTROY is EBUSY while it lives) and, with IOMMU_HWPT_FAULT_ID_VALID, one on its
/// fault queue.</summary>
internal sealed class HwptNested(HwptPaging parent, Viommu? viommu = null) : Hwpt(ObjectType.HwptNested)
{
    public HwptPaging Parent { get; } = parent;

    /// <summary>hwpt_nested->viommu: the vIOMMU it was allocated on (7.3), or null.</summary>
    public Viommu? Viommu { get; } = viommu;

    /// <summary>Set once the driver allocated it; null while the object is being set up.</summary>
    public MockNestedDomain? Domain { get; set; }

    public override HwptPaging Paging => Parent;

    /// <summary>The nested domain's attach_dev (mock_domain_nop_attach): a nested domain has no dirty
    /// ops; a vIOMMU-based one needs the device to have a vDEVICE on the vIOMMU (ENOENT), whose virtual
    /// ID the mock device then reports events with.</summary>
    public override int AttachDomain(Device idev)
    {
        if (Viommu == null)
        {
            idev.MockViommu = null;
            return 0;
        }
        if (Viommu.VirtIdOf(idev) is not ulong virtId)
            return -Errno.ENOENT;
        idev.MockViommu = (Viommu, virtId);
        return 0;
    }

    /// <summary>iommufd_hwpt_nested_destroy (and _abort).</summary>
    public override void Destroy()
    {
        ReleaseFault();
        if (Viommu != null)
            Viommu.Users--;
        else
            Parent.Users--;
    }
}
