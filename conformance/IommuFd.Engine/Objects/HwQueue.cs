namespace IommuFd.Engine.Objects;

/// <summary>
/// iommufd_hw_queue of the mock vIOMMU (mock_hw_queue): a queue in guest memory at
/// [<see cref="BaseIova"/>, +<see cref="Length"/>) of the nesting parent, pinned and locked there by an
/// internal access (an object with an ID of its own) so that unmapping it is EBUSY. Holds a users
/// reference on its vIOMMU and, past index 0, one on the queue of the index below (so queues are
/// destroyed in descending order).
/// </summary>
internal sealed class HwQueue(IommufdContext ctx) : IommufdObject(ObjectType.HwQueue)
{
    public Viommu? Viommu { get; set; }

    /// <summary>The internal access that pins the queue's pages (null until it pinned them).</summary>
    public Access? Access { get; set; }

    public ulong BaseIova { get; set; }

    public ulong Length { get; set; }

    /// <summary>The index the driver gave it (set once mock_hw_queue_init_phys accepted it).</summary>
    public int? Index { get; set; }

    /// <summary>mock_hw_queue->prev: the queue it depends on.</summary>
    public HwQueue? Prev { get; set; }

    /// <summary>iommufd_hw_queue_destroy (and the abort): the driver's destroy, then the pin, the access and
    /// the vIOMMU reference, each as far as the allocation got.</summary>
    public override void Destroy()
    {
        if (Index is int index)
        {
            Viommu!.HwQueues[index] = null;
            if (Prev != null)
                Prev.Users--; // iommufd_hw_queue_undepend
        }
        if (Access != null)
            ReleaseAccess(ctx, Access, BaseIova, Length);
        if (Viommu != null)
            Viommu.Users--;
    }

    /// <summary>iommufd_hw_queue_destroy_access: unpins the whole pages around the queue, detaches and
    /// destroys the access.</summary>
    public static void ReleaseAccess(IommufdContext ctx, Access access, ulong baseIova, ulong length)
    {
        ulong pageSize = ctx.Platform.PageSize;
        ulong aligned = baseIova & ~(pageSize - 1);
        access.UnpinPages(aligned, (length + (baseIova - aligned) + pageSize - 1) & ~(pageSize - 1));
        _ = ctx.Objects.RemoveHeld(access); // detach happens in the access's destroy
    }
}
