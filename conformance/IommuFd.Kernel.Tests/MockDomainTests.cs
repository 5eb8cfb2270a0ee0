using IommuFd.Interop;
using IommuFd.Testing;
using IommuFd.TestVm;

namespace IommuFd.Kernel.Tests;

/// <summary>IOMMU_TEST_CMD (CONFIG_IOMMUFD_TEST): a mock device with a mock IOMMU domain on the real kernel.</summary>
[TestFixture]
[Category(KernelTier.Category)]
public sealed class MockDomainTests
{
    [Test]
    public void Mock_domain_attaches_and_its_page_table_holds_the_mapping()
    {
        // Under the emulated VT-d and AMD-Vi the mock device is offered to that driver's probe,
        // refused, and MOCK_DOMAIN answers EINVAL (6.12 __iommu_probe_device); virtio-iommu lets it bind.
        using var backend = KernelTier.Backend(IommuModel.Virtio);
        int iommufd = backend.Open("/dev/iommu");
        try
        {
            var alloc = new iommu_ioas_alloc();
            Assert.That(IommufdIoctls.IOMMU_IOAS_ALLOC(backend, iommufd, ref alloc), Is.Zero);

            var mock = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN, id = alloc.out_ioas_id };
            Assert.That(IommufdTestIoctls.IOMMU_TEST_CMD(backend, iommufd, ref mock), Is.Zero, "IOMMU_TEST_OP_MOCK_DOMAIN (needs CONFIG_IOMMUFD_TEST)");
            uint stdev = mock.mock_domain.out_stdev_id, hwpt = mock.mock_domain.out_hwpt_id, idev = mock.mock_domain.out_idev_id;
            Assert.That(new[] { stdev, hwpt, idev }, Is.All.Not.Zero);
            Assert.That(new[] { stdev, hwpt, idev }, Is.Unique);

            // With a mock domain attached the IOAS only accepts IOVAs inside the mock aperture.
            using var buffer = backend.Allocate(8192);
            var map = new iommu_ioas_map
            {
                flags = (uint)(Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE),
                ioas_id = alloc.out_ioas_id,
                user_va = buffer.Address,
                length = 8192,
                iova = (ulong)IommufdTest.MOCK_APERTURE_START,
            };
            Assert.That(IommufdIoctls.IOMMU_IOAS_MAP(backend, iommufd, ref map), Is.Zero, "map inside the aperture");

            var check = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_MD_CHECK_MAP, id = hwpt };
            check.check_map.iova = map.iova;
            check.check_map.length = 8192;
            check.check_map.uptr = buffer.Address;
            Assert.That(IommufdTestIoctls.IOMMU_TEST_CMD(backend, iommufd, ref check), Is.Zero, "the mock page table maps the IOVA to the user pages");

            var outside = map with { iova = 0x1000 };
            Assert.That(IommufdIoctls.IOMMU_IOAS_MAP(backend, iommufd, ref outside), Is.EqualTo(-22), "below the aperture is reserved: EINVAL");

            var destroy = new iommu_destroy { id = stdev };
            Assert.That(IommufdIoctls.IOMMU_DESTROY(backend, iommufd, ref destroy), Is.Zero, "destroying the selftest device detaches it");
        }
        finally
        {
            backend.Close(iommufd);
        }
    }
}
