using IommuFd.Interop;
using IommuFd.Testing;

namespace IommuFd.Kernel.Tests;

/// <summary>IOAS life cycle on the real kernel, through the generated ioctl wrappers.</summary>
[TestFixture]
[Category(KernelTier.Category)]
public sealed class IoasTests
{
    private const int ENOENT = 2;

    [Test]
    public void Alloc_map_unmap_destroy()
    {
        using var backend = KernelTier.Backend();
        int iommufd = backend.Open("/dev/iommu");
        Assert.That(iommufd, Is.GreaterThanOrEqualTo(0), "open /dev/iommu");
        try
        {
            var alloc = new iommu_ioas_alloc();
            Assert.That(IommufdIoctls.IOMMU_IOAS_ALLOC(backend, iommufd, ref alloc), Is.Zero, "IOMMU_IOAS_ALLOC");
            Assert.That(alloc.out_ioas_id, Is.Not.Zero, "an object id is never 0");

            const ulong length = 1 << 20;
            using var buffer = backend.Allocate((nuint)length);
            var map = new iommu_ioas_map
            {
                flags = (uint)(Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE),
                ioas_id = alloc.out_ioas_id,
                user_va = buffer.Address,
                length = length,
            };
            Assert.That(IommufdIoctls.IOMMU_IOAS_MAP(backend, iommufd, ref map), Is.Zero, "IOMMU_IOAS_MAP");
            Assert.That(map.iova % 4096, Is.Zero, "the kernel picks a page-aligned IOVA");

            var unmap = new iommu_ioas_unmap { ioas_id = alloc.out_ioas_id, iova = map.iova, length = length };
            Assert.That(IommufdIoctls.IOMMU_IOAS_UNMAP(backend, iommufd, ref unmap), Is.Zero, "IOMMU_IOAS_UNMAP");
            Assert.That(unmap.length, Is.EqualTo(length), "UNMAP reports the bytes unmapped");

            unmap = new iommu_ioas_unmap { ioas_id = alloc.out_ioas_id, iova = map.iova, length = length };
            Assert.That(IommufdIoctls.IOMMU_IOAS_UNMAP(backend, iommufd, ref unmap), Is.EqualTo(-ENOENT), "nothing left to unmap");

            var destroy = new iommu_destroy { id = alloc.out_ioas_id };
            Assert.That(IommufdIoctls.IOMMU_DESTROY(backend, iommufd, ref destroy), Is.Zero, "IOMMU_DESTROY");
            Assert.That(IommufdIoctls.IOMMU_DESTROY(backend, iommufd, ref destroy), Is.EqualTo(-ENOENT), "destroyed twice");
        }
        finally
        {
            backend.Close(iommufd);
        }
    }

    [Test]
    public void Map_with_neither_read_nor_write_is_einval()
    {
        using var backend = KernelTier.Backend();
        int iommufd = backend.Open("/dev/iommu");
        try
        {
            var alloc = new iommu_ioas_alloc();
            Assert.That(IommufdIoctls.IOMMU_IOAS_ALLOC(backend, iommufd, ref alloc), Is.Zero);
            using var buffer = backend.Allocate(4096);
            var map = new iommu_ioas_map { ioas_id = alloc.out_ioas_id, user_va = buffer.Address, length = 4096 };
            Assert.That(IommufdIoctls.IOMMU_IOAS_MAP(backend, iommufd, ref map), Is.EqualTo(-22), "6.12 rejects a mapping without permissions");
        }
        finally
        {
            backend.Close(iommufd);
        }
    }
}
