using IommuFd.UapiGenerator.Testing;
using IommuFd.Uapi;
using IommuFd.UapiGenerator.Model;
using IommuFd.UapiGenerator.Tests.Infrastructure;

namespace IommuFd.UapiGenerator.Tests;

/// <summary>Request numbers and argument pairing of the real headers.</summary>
public class IoctlValueTests
{
    [TestCase("IOMMU_DESTROY", 0x3B80u)]
    [TestCase("IOMMU_IOAS_ALLOC", 0x3B81u)]
    [TestCase("IOMMU_IOAS_MAP", 0x3B85u)]
    [TestCase("IOMMU_IOAS_UNMAP", 0x3B86u)]
    public void IommufdRequestNumbers(string name, uint expected)
    {
        var (iommufd, _, _) = ModelRunner.RealHeaders();
        Assert.That(iommufd.Ioctls.Single(i => i.Name == name).Request, Is.EqualTo(expected));
    }

    [Test]
    public void TestCmdRequestNumberAndStruct()
    {
        var (_, _, test) = ModelRunner.RealHeaders();
        var cmd = test.Ioctls.Single(i => i.Name == "IOMMU_TEST_CMD");
        Assert.That(cmd.Request, Is.EqualTo(0x3BA0u));
        Assert.That(cmd.ArgCsType, Is.EqualTo("iommu_test_cmd"));
        Assert.That(cmd.SizeField, Is.EqualTo("size"));
    }

    [Test]
    public void EveryIommufdIoctlHasItsStructAndSizeField()
    {
        var (iommufd, _, _) = ModelRunner.RealHeaders();
        Assert.That(iommufd.Ioctls, Has.Count.EqualTo(15));
        foreach (var i in iommufd.Ioctls)
        {
            Assert.That(i.ArgKind, Is.EqualTo(IoctlArgKind.Struct), i.Name);
            Assert.That(i.SizeField, Is.EqualTo("size"), i.Name);
        }
        Assert.That(iommufd.Ioctls.Single(i => i.Name == "IOMMU_IOAS_MAP").ArgCsType, Is.EqualTo("iommu_ioas_map"));
    }

    [Test]
    public void VfioScalarAndNoArgumentIoctls()
    {
        var (_, vfio, _) = ModelRunner.RealHeaders();
        IoctlModel Get(string name) => vfio.Ioctls.Single(i => i.Name == name);
        Assert.That(Get("VFIO_GET_API_VERSION").ArgKind, Is.EqualTo(IoctlArgKind.None));
        Assert.That(Get("VFIO_CHECK_EXTENSION").ArgKind, Is.EqualTo(IoctlArgKind.Value));
        Assert.That(Get("VFIO_CHECK_EXTENSION").ArgCsType, Is.EqualTo("uint"));
        Assert.That(Get("VFIO_SET_IOMMU").ArgCsType, Is.EqualTo("int"));
        Assert.That(Get("VFIO_DEVICE_GET_INFO").ArgCsType, Is.EqualTo("vfio_device_info"));
        Assert.That(Get("VFIO_DEVICE_GET_INFO").SizeField, Is.EqualTo("argsz"));
        // The comment says _IOR; the macro says _IO and wins.
        Assert.That(Get("VFIO_DEVICE_BIND_IOMMUFD").Request, Is.EqualTo(Ioc.IO(IocEncoding.Generic, ';', 100 + 18)));
        Assert.That(Get("VFIO_DEVICE_BIND_IOMMUFD").ArgCsType, Is.EqualTo("vfio_device_bind_iommufd"));
        Assert.That(vfio.Ioctls.Where(i => i.ArgKind == IoctlArgKind.Pointer).Select(i => i.Name), Is.EqualTo(new[] { "VFIO_GROUP_GET_DEVICE_FD" }));
    }

    [Test]
    public void DuplicateVfioNumbersAreKeptByName()
    {
        var (_, vfio, _) = ModelRunner.RealHeaders();
        uint info = vfio.Ioctls.Single(i => i.Name == "VFIO_IOMMU_GET_INFO").Request;
        Assert.That(vfio.Ioctls.Single(i => i.Name == "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO").Request, Is.EqualTo(info));
    }

    [Test]
    public void PowerPcProfileUsesItsEncoding()
    {
        var (iommufd, _, _) = ModelRunner.RealHeaders("ppc64le");
        Assert.That(iommufd.Ioctls.Single(i => i.Name == "IOMMU_IOAS_MAP").Request, Is.EqualTo(0x20003B85u));
    }

    [Test]
    public void ConstantsOfTheRealHeaders()
    {
        var (iommufd, vfio, test) = ModelRunner.RealHeaders();
        ConstantModel Get(HeaderModel m, string name) => m.Constants.Single(c => c.Name == name);
        Assert.That(Get(iommufd, "IOMMUFD_TYPE"), Is.EqualTo(new ConstantModel("IOMMUFD_TYPE", "int", "59", null)).Using<ConstantModel>((a, b) => a.CsType == b.CsType && a.Value == b.Value));
        Assert.That(Get(iommufd, "IOMMU_IOAS_MAP_FIXED_IOVA").CsType, Is.EqualTo("uint"));
        Assert.That(Get(vfio, "VFIO_REGION_TYPE_PCI_VENDOR_TYPE").CsType, Is.EqualTo("uint"));
        Assert.That(Get(vfio, "VFIO_REGION_TYPE_PCI_VENDOR_TYPE").Value, Is.EqualTo("0x80000000"));
        Assert.That(Get(vfio, "VFIO_PCI_DEVID_NOT_OWNED").Value, Is.EqualTo("-1"));
        Assert.That(Get(vfio, "VFIO_DEVICE_STATE_MASK").Value, Is.EqualTo("7"));
        Assert.That(Get(vfio, "VFIO_DEVICE_API_PCI_STRING").Value, Is.EqualTo("\"vfio-pci\""));
        Assert.That(Get(test, "IOMMU_HW_INFO_TYPE_SELFTEST").CsType, Is.EqualTo("uint"));
        Assert.That(Get(test, "MOCK_APERTURE_LAST").Value, Is.EqualTo("0x7FFFFFFF"));
        Assert.That(Get(test, "IOMMU_TEST_INVALIDATE_FLAG_ALL").Value, Is.EqualTo("1"));
        Assert.That(test.Constants.Any(c => c.Name.StartsWith("IOMMU_IOAS", StringComparison.Ordinal)), Is.False, "included header's constants stay in Iommufd");
    }
}

/// <summary>The generated class records which header it came from.</summary>
public class HeaderIdentityTests
{
    [Test]
    public void Sha256IsThatOfTheHeaderFile()
    {
        var (iommufd, _, _) = ModelRunner.RealHeaders();
        var bytes = File.ReadAllBytes(UapiHeaders.Iommufd.FullPath);
        Assert.That(iommufd.SourceSha256, Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))));
        Assert.That(iommufd.SourcePath, Is.EqualTo("iommufd.h"));
        Assert.That(iommufd.Profile, Is.EqualTo("x86_64"));
    }
}
