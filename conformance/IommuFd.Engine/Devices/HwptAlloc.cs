using IommuFd.Engine.Domains;
using IommuFd.Engine.Objects;
using IommuFd.Interop;

namespace IommuFd.Engine.Devices;

/// <summary>iommufd_hwpt_paging_alloc for a mock device.</summary>
internal static class HwptAlloc
{
    private const uint NestParent = (uint)Iommufd.IOMMU_HWPT_ALLOC_NEST_PARENT;
    private const uint DirtyTracking = (uint)Iommufd.IOMMU_HWPT_ALLOC_DIRTY_TRACKING;

    /// <summary>A paging HWPT on <paramref name="ioas"/> whose domain is in the IOAS on success (not yet
    /// published: the caller finalizes or aborts it). With <paramref name="immediateAttach"/> the device
    /// is attached before the domain joins the IOAS.</summary>
    public static int Paging(IommufdContext ctx, Ioas ioas, Device idev, uint flags, bool immediateAttach, bool hasUserData,
        out HwptPaging? result)
    {
        result = null;
        if ((flags & ~(NestParent | DirtyTracking)) != 0)
            return -Errno.EOPNOTSUPP;
        if ((flags & DirtyTracking) != 0 && !MockIommu.DirtyCapable(idev.MockFlags))
            return -Errno.EOPNOTSUPP;

        IommuDomain domain = MockIommu.AllocPaging(idev.MockFlags, dirtyOps: (flags & DirtyTracking) != 0);
        var hwpt = new HwptPaging(ioas, domain, (flags & NestParent) != 0);
        int rc = ctx.Objects.Allocate(hwpt);
        if (rc != 0)
            return rc;
        ioas.Users++;
        // mock_domain_alloc_user: a paging domain takes no driver data.
        if (hasUserData)
        {
            ctx.Objects.Abort(hwpt);
            return -Errno.EOPNOTSUPP;
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
