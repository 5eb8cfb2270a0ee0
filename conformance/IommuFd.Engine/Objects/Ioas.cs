using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Objects;

/// <summary>iommufd_ioas: an IOVA address space.</summary>
internal sealed class Ioas(PlatformProfile platform) : IommufdObject(ObjectType.Ioas)
{
    public IoPageTable.IoPageTable Iopt { get; } = new(platform);

    /// <summary>iommufd_ioas_destroy: unmaps everything (dropping every pages reference).</summary>
    public override void Destroy() => _ = Iopt.UnmapAll(out _);
}
