using IommuFd.UapiGenerator.Testing;

namespace IommuFd.UapiGenerator.ProofTests.Gcc;

/// <summary>The gcc-side inventory that the proof's coverage is measured against finds what the
/// headers are known to declare, and nothing of their system includes.</summary>
public sealed class GccDeclarationsTests
{
    private static readonly Lazy<GccDeclarations> Declarations = new(() =>
        GccDeclarations.Read([.. UapiHeaders.Bindings.Select(h => h.FullPath)], [UapiHeaders.IncludeDir]));

    [Test]
    public void Finds_records_members_enumerators_and_macros()
    {
        GccToolchain.X86_64.RequireInstalled(mandatory: true);
        GccDeclarations d = Declarations.Value;
        TestContext.Progress.WriteLine($"gcc inventory of iommufd.h + vfio.h + iommufd_test.h: {d.Records.Count} records, " +
            $"{d.Members.Count} member paths, {d.Enumerators.Count} enumerators, {d.Constants.Count} constant macros, " +
            $"{d.OtherMacros.Count} other macros ({string.Join(", ", d.OtherMacros.Keys)})");
        Assert.Multiple(() =>
        {
            Assert.That(d.Records, Does.Contain("struct iommu_ioas_map").And.Contain("struct iommu_test_cmd").And.Contain("struct vfio_eeh_pe_op"));
            Assert.That(d.Members, Does.Contain("struct iommu_test_cmd: mock_domain.out_stdev_id"));
            Assert.That(d.Members, Does.Contain("struct vfio_region_info_cap_sparse_mmap: areas"), "flexible array member");
            Assert.That(d.Members, Does.Contain("struct vfio_pci_dependent_device: devid"), "member of an anonymous union");
            Assert.That(d.Members, Does.Contain("struct vfio_iommu_type1_info_cap_iova_range: header.id"), "member of a nested struct");
            Assert.That(d.Enumerators, Does.Contain("IOMMUFD_CMD_DESTROY").And.Contain("MOCK_APERTURE_LAST"));
            Assert.That(d.Constants, Does.Contain("IOMMU_IOAS_MAP").And.Contain("VFIO_DEVICE_API_PCI_STRING").And.Contain("VFIO_PCI_DEVID_NOT_OWNED"));
            Assert.That(d.Constants, Does.Not.Contain("_IOC_NRBITS").And.Not.Contain("_UAPI_IOMMUFD_H"), "baseline and include guards");
            Assert.That(d.Records, Does.Not.Contain("struct __kernel_fd_set"), "records of linux/types.h");
        });
    }
}
