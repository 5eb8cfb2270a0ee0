namespace IommuFd.Engine.Handlers;

/// <summary>IOMMU_TEST_OP_TRIGGER_IOPF (selftest.c) and the IOPF core's routing of the page request
/// to the fault queue of the domain the device is attached to (io-pgfault.c).</summary>
internal static class IopfHandlers
{
    private const uint FlagPasidValid = 1u << 0; // IOMMU_FAULT_PAGE_REQUEST_PASID_VALID
    private const uint FlagLastPage = 1u << 1;   // IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE
    private const uint NoPasid = 0;              // IOMMU_NO_PASID

    /// <summary>iommufd_test_trigger_iopf: <paramref name="devId"/> must be a device (ENOENT). The
    /// request (always the last of its group) reaches a fault queue only through an attachment whose
    /// HWPT has one; with a PASID the mock driver's user PASID table sends it to the device's nested
    /// attachment. Undeliverable requests are answered by the core: the call succeeds either way.</summary>
    public static int TriggerIopf(IommufdContext ctx, uint devId, uint pasid, uint grpid, uint perm, ulong addr)
    {
        if (ctx.Objects.Get(devId, ObjectType.Device) is not Device idev)
            return -Errno.ENOENT;
        uint flags = FlagLastPage | (pasid != NoPasid ? FlagPasidValid : 0);
        AttachHandle? handle = idev.Handle;
        if (handle == null)
            return 0; // no attachment at the RID
        if (pasid != NoPasid && handle.Hwpt is not HwptNested)
            return 0; // no PASID attachment, and the RID's domain is not nested
        if (handle.Hwpt.Fault is not { } fault)
            return 0; // the domain has no iopf handler
        fault.Deliver(new PageRequest(handle, flags, pasid, grpid, perm, addr));
        return 0;
    }
}
