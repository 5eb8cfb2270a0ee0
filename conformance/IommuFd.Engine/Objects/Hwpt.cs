namespace IommuFd.Engine.Objects;

/// <summary>iommufd_hw_pagetable: what paging and nested HWPTs share. A device attaches to either.</summary>
internal abstract class Hwpt(ObjectType type) : IommufdObject(type)
{
    /// <summary>hwpt->fault: the fault queue that receives the device's page requests (nested HWPTs
    /// only in 6.12, paging ones too from 7.3). Holds a users reference on it.</summary>
    public FaultQueue? Fault { get; set; }

    /// <summary>find_hwpt_paging: the paging HWPT whose IOAS backs this one.</summary>
    public abstract HwptPaging Paging { get; }

    /// <summary>The domain's attach_dev for a mock device.</summary>
    public abstract int AttachDomain(Device idev);

    /// <summary>__iommufd_hwpt_destroy's fault part: drops the fault queue reference.</summary>
    protected void ReleaseFault()
    {
        if (Fault != null)
            Fault.Users--;
        Fault = null;
    }
}
