namespace IommuFd.Engine.Objects;

/// <summary>iommufd_ioas: an IOVA address space.</summary>
internal sealed class Ioas(PlatformProfile platform, PinRegistry pins) : IommufdObject(ObjectType.Ioas)
{
    public IoPageTable.IoPageTable Iopt { get; } = new(platform, pins);

    /// <summary>ioas->hwpt_list: the paging HWPTs whose domains are in this IOAS, oldest first
    /// (automatic domain selection walks it in this order).</summary>
    public List<HwptPaging> Hwpts { get; } = [];

    /// <summary>iommufd_ioas_destroy: unmaps everything (dropping every pages reference).</summary>
    public override void Destroy() => _ = Iopt.UnmapAll(out _);
}
