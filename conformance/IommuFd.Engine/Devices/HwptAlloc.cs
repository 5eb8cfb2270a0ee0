using IommuFd.Engine.Domains;

namespace IommuFd.Engine.Devices;

/// <summary>iommufd_hwpt_paging_alloc for a mock device.</summary>
internal static class HwptAlloc
{
    private const uint NestParent = (uint)Iommufd.IOMMU_HWPT_ALLOC_NEST_PARENT;
    private const uint DirtyTracking = (uint)Iommufd.IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
    private const uint FaultIdValid = (uint)Iommufd.IOMMU_HWPT_FAULT_ID_VALID;
    public const uint Pasid = 1 << 3; // IOMMU_HWPT_ALLOC_PASID (7.3)

    /// <summary>The flags a paging HWPT takes: 6.12 NEST_PARENT and DIRTY_TRACKING; 7.3 also
    /// FAULT_ID_VALID (the core's) and PASID (which only matters to PASID attachments).</summary>
    private static uint PagingFlags(EngineOptions options) =>
        NestParent | DirtyTracking | (options.Has73Uapi ? FaultIdValid | Pasid : 0);

    /// <summary>A paging HWPT on <paramref name="ioas"/> whose domain is in the IOAS on success (not yet
    /// published: the caller finalizes or aborts it). With <paramref name="immediateAttach"/> the device
    /// is attached before the domain joins the IOAS. <paramref name="data"/> is the driver data of
    /// HWPT_ALLOC (null for none): 6.12's mock refuses any (EOPNOTSUPP); 7.3's takes struct
    /// iommu_hwpt_selftest, whose pagetable_type picks the page table (<see cref="MockIommu.PagingData"/>).</summary>
    public static int Paging(IommufdContext ctx, Ioas ioas, Device idev, uint flags, bool immediateAttach, UserData? data,
        out HwptPaging? result)
    {
        result = null;
        if ((flags & ~PagingFlags(ctx.Options)) != 0)
            return -Errno.EOPNOTSUPP;
        if ((flags & DirtyTracking) != 0 && !MockIommu.DirtyCapable(idev.MockFlags))
            return -Errno.EOPNOTSUPP;
        // A fault queue serves IOPF of a leaf domain, never a nesting parent's (7.3 refuses the pair).
        if ((flags & FaultIdValid) != 0 && (flags & NestParent) != 0)
            return -Errno.EOPNOTSUPP;

        IommuDomain domain = MockIommu.AllocPaging(ctx.Options, idev.MockFlags, dirtyOps: (flags & DirtyTracking) != 0);
        var hwpt = new HwptPaging(ioas, domain, (flags & NestParent) != 0);
        int rc = ctx.Objects.Allocate(hwpt);
        if (rc != 0)
            return rc;
        ioas.Users++;
        if (data is { } userData)
        {
            rc = ctx.Options.Has73Uapi ? MockIommu.PagingData(userData) : -Errno.EOPNOTSUPP;
            if (rc != 0)
            {
                ctx.Objects.Abort(hwpt);
                return rc;
            }
        }

        if (immediateAttach)
        {
            rc = DeviceAttach.DoAttach(ctx, idev, hwpt, out _);
            if (rc != 0)
            {
                ctx.Objects.Abort(hwpt);
                return rc;
            }
        }
        rc = ioas.Iopt.AddDomain(domain);
        if (rc != 0)
        {
            if (immediateAttach)
            {
                idev.Hwpt = null; // iommufd_hw_pagetable_detach; the abort drops the HWPT with its count
                idev.Handle = null;
            }
            ctx.Objects.Abort(hwpt);
            return rc;
        }
        ioas.Hwpts.Add(hwpt);
        hwpt.InIoas = true;
        result = hwpt;
        return 0;
    }
}
