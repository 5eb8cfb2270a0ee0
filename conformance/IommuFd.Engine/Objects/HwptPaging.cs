using IommuFd.Engine.Domains;

namespace IommuFd.Engine.Objects;

/// <summary>iommufd_hwpt_paging: a paging iommu_domain tied to one IOAS for its whole life. Holds a
/// users reference on the IOAS; every attached device holds one on it.</summary>
internal sealed class HwptPaging(Ioas ioas, IommuDomain domain, bool nestParent) : Hwpt(ObjectType.HwptPaging)
{
    public Ioas Ioas { get; } = ioas;

    public IommuDomain Domain { get; } = domain;

    /// <summary>Created by automatic domain selection (attach to an IOAS): destroyed with its last device.</summary>
    public bool AutoDomain { get; set; }

    /// <summary>IOMMU_HWPT_ALLOC_NEST_PARENT.</summary>
    public bool NestParent { get; } = nestParent;

    /// <summary>Whether the domain is in the IOAS (hwpt_item on ioas->hwpt_list).</summary>
    public bool InIoas { get; set; }

    public override HwptPaging Paging => this;

    public override int AttachDomain(Device idev)
    {
        int rc = MockIommu.Attach(Domain, idev.MockFlags);
        if (rc == 0)
            idev.MockViommu = null; // mock_domain_nop_attach: no vIOMMU behind a paging domain
        return rc;
    }

    /// <summary>iommufd_hwpt_paging_destroy (and _abort): out of the IOAS, domain freed, fault queue (7.3)
    /// and IOAS references dropped.</summary>
    public override void Destroy()
    {
        ReleaseFault();
        if (InIoas)
        {
            Ioas.Hwpts.Remove(this);
            Ioas.Iopt.RemoveDomain(Domain);
            InIoas = false;
        }
        Ioas.Users--;
    }
}
