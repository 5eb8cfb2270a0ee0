using IommuFd.Engine.Domains;

namespace IommuFd.Engine.Objects;

/// <summary>iommufd_hwpt_nested: a user-managed (stage-1) domain on top of a NEST_PARENT paging HWPT.
/// Holds a users reference on its parent (so the parent's DESTROY is EBUSY while it lives) and, with
/// IOMMU_HWPT_FAULT_ID_VALID, one on its fault queue.</summary>
internal sealed class HwptNested(HwptPaging parent) : Hwpt(ObjectType.HwptNested)
{
    public HwptPaging Parent { get; } = parent;

    /// <summary>Set once the driver allocated it; null while the object is being set up.</summary>
    public MockNestedDomain? Domain { get; set; }

    public override HwptPaging Paging => Parent;

    /// <summary>The nested domain's attach_dev (mock_domain_nop_attach): a nested domain has no dirty
    /// ops, so every mock device attaches.</summary>
    public override int AttachDomain(uint deviceFlags) => 0;

    /// <summary>iommufd_hwpt_nested_destroy (and _abort).</summary>
    public override void Destroy()
    {
        ReleaseFault();
        Parent.Users--;
    }
}
