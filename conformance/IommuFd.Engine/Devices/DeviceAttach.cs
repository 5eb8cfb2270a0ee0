using IommuFd.Engine.Domains;

namespace IommuFd.Engine.Devices;

/// <summary>
/// device.c for mock devices: bind/unbind, attach/replace/detach (iommufd_device_change_pt) with the
/// automatic paging HWPT of an IOAS (iommufd_device_auto_get_domain). Every mock device is alone in
/// its iommu group and has no reserved regions and no MSI window, so the group steps reduce to the
/// device's own attachment.
/// </summary>
internal static class DeviceAttach
{
    private delegate int AttachFn(IommufdContext ctx, Device idev, Hwpt hwpt, out Hwpt? destroy);

    /// <summary>iommufd_device_bind: the device object is published at once with a users reference for
    /// the binding driver (so DESTROY of its ID is EBUSY until unbind).</summary>
    public static int Bind(IommufdContext ctx, uint mockFlags, out Device? idev)
    {
        idev = null;
        // device_iommu_capable(IOMMU_CAP_CACHE_COHERENCY): only the mock IOMMU answers for a mock device.
        if (!ctx.Options.MockIommuProbesMockDevices)
            return -Errno.EINVAL;
        var dev = new Device(mockFlags);
        int rc = ctx.Objects.Allocate(dev);
        if (rc != 0)
            return rc;
        dev.Users++;
        ctx.Objects.Finalize(dev);
        idev = dev;
        return 0;
    }

    /// <summary>iommufd_device_unbind: drops the driver's reference and removes the object; first (7.3,
    /// iommufd_device_pre_destroy) the device's vDEVICE is destroyed and its ID left a tombstone.</summary>
    public static void Unbind(IommufdContext ctx, Device idev)
    {
        if (idev.Vdev is { } vdev)
            ctx.Objects.Tombstone(vdev);
        _ = ctx.Objects.RemoveHeld(idev);
    }

    /// <summary>iommufd_device_attach: <paramref name="ptId"/> names a paging HWPT or an IOAS (automatic
    /// domain; the HWPT's ID is written back). ENOENT for no object, EINVAL for another type.</summary>
    public static int Attach(IommufdContext ctx, Device idev, ref uint ptId)
    {
        int rc = ChangePt(ctx, idev, ref ptId, DoAttach, immediateAttach: true);
        if (rc == 0)
            idev.Users++; // pairs with Detach
        return rc;
    }

    /// <summary>iommufd_device_replace: like detach + attach, but nothing changes on failure.</summary>
    public static int Replace(IommufdContext ctx, Device idev, ref uint ptId) =>
        ChangePt(ctx, idev, ref ptId, DoReplace, immediateAttach: false);

    /// <summary>iommufd_device_detach: the HWPT loses the device (an automatic one is destroyed with its last).</summary>
    public static void Detach(IommufdContext ctx, Device idev)
    {
        Hwpt? hwpt = idev.Hwpt;
        if (hwpt == null)
            return;
        EndAttachment(idev);
        idev.Hwpt = null;
        idev.MockViommu = null; // the blocking domain's attach (mock_domain_nop_attach)
        HwptPut(ctx, hwpt);
        idev.Users--;
    }

    /// <summary>iommufd_hwpt_detach_device's fault part: the ending attachment's page requests are
    /// answered (iommufd_auto_response_faults).</summary>
    private static void EndAttachment(Device idev)
    {
        if (idev.Handle is { } handle)
            handle.Hwpt.Fault?.AutoRespond(handle);
        idev.Handle = null;
    }

    private static int ChangePt(IommufdContext ctx, Device idev, ref uint ptId, AttachFn attach, bool immediateAttach)
    {
        IommufdObject? pt = ctx.Objects.Get(ptId, ObjectType.Any);
        if (pt == null)
            return -Errno.ENOENT;
        Hwpt? destroy;
        int rc;
        switch (pt)
        {
            case Hwpt hwpt: // paging or nested
                rc = attach(ctx, idev, hwpt, out destroy);
                break;
            case Ioas ioas:
                rc = AutoGetDomain(ctx, idev, ioas, ref ptId, attach, immediateAttach, out destroy);
                break;
            default:
                return -Errno.EINVAL;
        }
        if (rc != 0)
            return rc;
        if (destroy != null)
            HwptPut(ctx, destroy);
        return 0;
    }

    /// <summary>iommufd_device_auto_get_domain: the first automatic HWPT of the IOAS that takes the
    /// device (EINVAL means incompatible: try the next), else a new one.</summary>
    private static int AutoGetDomain(IommufdContext ctx, Device idev, Ioas ioas, ref uint ptId, AttachFn attach,
        bool immediateAttach, out Hwpt? destroy)
    {
        foreach (HwptPaging existing in ioas.Hwpts.ToArray())
        {
            if (!existing.AutoDomain)
                continue;
            int tried = attach(ctx, idev, existing, out destroy);
            if (tried == -Errno.EINVAL)
                continue;
            if (tried == 0)
                ptId = existing.Id;
            return tried;
        }

        destroy = null;
        int rc = HwptAlloc.Paging(ctx, ioas, idev, flags: 0, immediateAttach, data: null, out HwptPaging? hwpt);
        if (rc != 0)
            return rc;
        if (!immediateAttach)
        {
            rc = attach(ctx, idev, hwpt!, out destroy);
            if (rc != 0)
            {
                ctx.Objects.Abort(hwpt!);
                return rc;
            }
        }
        hwpt!.AutoDomain = true;
        ptId = hwpt.Id;
        ctx.Objects.Finalize(hwpt);
        return 0;
    }

    /// <summary>iommufd_hw_pagetable_attach: a device attached elsewhere is EINVAL; the driver's attach
    /// may refuse the domain (EINVAL); the HWPT gains a users reference. A device already attached to
    /// this HWPT only gains the reference (the group is attached once).</summary>
    public static int DoAttach(IommufdContext ctx, Device idev, Hwpt hwpt, out Hwpt? destroy)
    {
        destroy = null;
        if (idev.Hwpt != null && idev.Hwpt != hwpt)
            return -Errno.EINVAL;
        if (idev.Hwpt == null)
        {
            int rc = hwpt.AttachDomain(idev);
            if (rc != 0)
                return rc;
            idev.Handle = new AttachHandle(idev, hwpt);
        }
        idev.Hwpt = hwpt;
        hwpt.Users++;
        return 0;
    }

    /// <summary>iommufd_device_do_replace: the device must be attached; the same HWPT is a no-op; the old
    /// HWPT is handed back for the caller to put.</summary>
    private static int DoReplace(IommufdContext ctx, Device idev, Hwpt hwpt, out Hwpt? destroy)
    {
        destroy = null;
        if (idev.Hwpt == null)
            return -Errno.EINVAL;
        if (idev.Hwpt == hwpt)
            return 0;
        int rc = hwpt.AttachDomain(idev);
        if (rc != 0)
            return rc;
        // iommufd_hwpt_replace_device: the new attachment exists before the old one's requests are answered.
        AttachHandle? old = idev.Handle;
        idev.Handle = new AttachHandle(idev, hwpt);
        if (old != null)
            old.Hwpt.Fault?.AutoRespond(old);
        destroy = idev.Hwpt;
        idev.Hwpt = hwpt;
        hwpt.Users++;
        return 0;
    }

    /// <summary>iommufd_hw_pagetable_put: an automatic HWPT is destroyed when its last user goes.</summary>
    private static void HwptPut(IommufdContext ctx, Hwpt hwpt)
    {
        if (hwpt is HwptPaging { AutoDomain: true })
            _ = ctx.Objects.RemoveHeld(hwpt);
        else
            hwpt.Users--;
    }
}
