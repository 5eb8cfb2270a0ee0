using IommuFd.Engine.Dispatch;

namespace IommuFd.Engine.Handlers;

/// <summary>IOMMU_DESTROY.</summary>
internal static class ObjectHandlers
{
    /// <summary>iommufd_destroy: any type, ENOENT for missing or still-reserved IDs, EBUSY while held.</summary>
    public static int Destroy(IommufdContext ctx, ref UserCommand ucmd) => ctx.Destroy(ucmd.As<iommu_destroy>().id);
}
