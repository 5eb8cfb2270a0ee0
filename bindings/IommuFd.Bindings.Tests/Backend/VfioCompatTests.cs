using IommuFd.Interop;

namespace IommuFd.Bindings.Tests.Backend;

/// <summary>The VFIO type1 container ioctls as iommufd answers them on its own fd.</summary>
public class VfioCompatTests(BackendKind backend) : ContextFixture(backend)
{
    [Test]
    public void Api_version_and_extensions()
    {
        VfioContainer container = Context.AsVfioContainer();
        Assert.That(container.GetApiVersion(), Is.EqualTo((int)Vfio.VFIO_API_VERSION));
        Assert.That(container.CheckExtension((uint)Vfio.VFIO_TYPE1v2_IOMMU), Is.EqualTo(1));
        Assert.That(container.CheckExtension((uint)Vfio.VFIO_TYPE1_IOMMU), Is.EqualTo(1));
        Assert.That(container.CheckExtension((uint)Vfio.VFIO_UNMAP_ALL), Is.EqualTo(1));
        Assert.That(container.CheckExtension((uint)Vfio.VFIO_TYPE1_NESTING_IOMMU), Is.Zero);
    }

    [Test]
    public void Without_a_compat_IOAS_the_container_calls_are_ENODEV()
    {
        VfioContainer container = Context.AsVfioContainer();
        Assert.That(container.TryGetInfo(new byte[24], out _), Is.EqualTo(Errno.ENODEV));
        Assert.That(container.TryMapDma(0x1000, 0x1000, PageSize, VfioDmaMapFlags.ReadWrite), Is.EqualTo(Errno.ENODEV));
        Assert.That(ErrnoNames.FromResult(container.TrySetIommu((uint)Vfio.VFIO_TYPE1v2_IOMMU)), Is.EqualTo(Errno.ENODEV));
    }

    [Test]
    public void GetInfo_of_an_empty_compat_IOAS_reports_every_page_size_one_range_and_unlimited_mappings()
    {
        Context.SetVfioIoas(Context.CreateIoas().Id);

        VfioIommuInfo info = Context.AsVfioContainer().GetInfo();

        Assert.That(info.IovaPageSizes, Is.EqualTo(~(PageSize - 1)));
        Assert.That(info.IovaRanges, Is.EqualTo(new[] { new IovaRange(0, ulong.MaxValue) }));
        Assert.That(info.DmaAvailable, Is.EqualTo(uint.MaxValue));
        Assert.That(info.Capabilities.Select(c => (uint)c.Id),
                    Is.EqualTo(new[] { (uint)Vfio.VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, (uint)Vfio.VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE }));
    }

    [Test]
    public void MapDma_and_UnmapDma_work_on_the_compat_IOAS()
    {
        Ioas ioas = Context.CreateIoas();
        Context.SetVfioIoas(ioas.Id);
        VfioContainer container = Context.AsVfioContainer();
        container.SetIommu((uint)Vfio.VFIO_TYPE1v2_IOMMU);
        var memory = Memory(2 * PageSize);

        container.MapDma(memory.Address, 0x100000, 2 * PageSize);
        Assert.That(ioas.TryMapFixed(0x100000, memory.Address, PageSize), Is.EqualTo(Errno.EEXIST), "the map landed in the compat IOAS");
        Assert.That(container.UnmapDma(0x900000, PageSize), Is.Zero, "unmapping nothing is not an error here");
        Assert.That(container.UnmapDma(0x100000, 2 * PageSize), Is.EqualTo(2 * PageSize));
        container.MapDma(memory.Address, 0x200000, PageSize);
        Assert.That(container.UnmapAllDma(), Is.EqualTo(PageSize));
    }
}
