using IommuFd.Conformance.Tests.Support;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 selftest fixture <c>iommufd</c> (a bare /dev/iommu fd), one test per case.</summary>
public sealed class IommufdFixtureTests(string backend) : BackendFixture(backend)
{
    [Test]
    public void SimpleClose()
    {
        var r = Replay("selftest/iommufd-simple-close");
        Succeeds(r[0]);
        Succeeds(r[1]);
    }

    [Test]
    public void CmdFail()
    {
        var r = Replay("selftest/iommufd-cmd-fail");
        Fails(r[1], Errno.ENOENT);  // DESTROY id 0
        Fails(r[2], Errno.EFAULT);  // NULL argument: the size is read before anything else
        Fails(r[3], Errno.ENOTTY);  // _IO(';', 0x7F): below the table, VFIO compat does not know it
        Fails(r[4], Errno.ENOTTY);  // _IO('X', 0x7F): the NR decides the path, not the type
        // A hole in 6.12's table with a readable argument; 7.3's IOMMU_IOAS_MAP_FILE, whose size 0 is below its minimum.
        Fails(r[5], Kernel.AtLeast(7, 3) ? Errno.EINVAL : Errno.ENOTTY);
        Fails(r[6], Errno.EFAULT);  // the same hole with NULL: get_user comes first
        Fails(r[7], Errno.ENOTTY);  // _IOWR(';', 0x80, 8): the full request must match
        Fails(r[8], Errno.ENOTTY);  // beyond the table: VFIO path, no memory read even for NULL
    }

    [Test]
    public void CmdExFail()
    {
        var r = Replay("selftest/iommufd-cmd-ex-fail");
        Fails(r[0], Errno.ENOENT);  // 8 zero bytes past the struct are accepted
        Fails(r[1], Errno.E2BIG);   // a non-zero byte past the struct is not
        Fails(r[2], Errno.ENOENT);
        Fails(r[3], Errno.EINVAL);  // shorter than the minimum (6.12; the v3 seed said EOPNOTSUPP)
    }

    [Test]
    public void GlobalOptions()
    {
        var r = Replay("selftest/iommufd-global-options");
        Succeeds(r[0]);
        FieldIs(r[0], "val64", 0);  // RLIMIT_MODE defaults to user accounting on /dev/iommu
        Succeeds(r[1]);             // needs CAP_SYS_RESOURCE: the suite runs as root
        Fails(r[2], Errno.EINVAL);
        Succeeds(r[3]);
        FieldIs(r[3], "val64", 1);
        Succeeds(r[4]);
        Fails(r[5], Errno.ENOENT);  // HUGE_PAGES needs an IOAS; object 0 never is one
        Fails(r[6], Errno.ENOENT);
    }

    [Test]
    public void SimpleIoctls()
    {
        var r = Replay("selftest/iommufd-simple-ioctls");
        Succeeds(r[0], rc: 0);  // VFIO_API_VERSION
        Succeeds(r[1], rc: 1);  // VFIO_TYPE1v2_IOMMU is supported
    }

    [Test]
    public void UnmapCmd()
    {
        var r = Replay("selftest/iommufd-unmap-cmd");
        Fails(r[0], Errno.EINVAL);
        Fails(r[1], Errno.EINVAL);
        Fails(r[2], Errno.ENODEV);
    }

    [Test]
    public void MapCmd()
    {
        var r = Replay("selftest/iommufd-map-cmd");
        Fails(r[1], Errno.EINVAL);
        Fails(r[2], Errno.EINVAL);
        Fails(r[3], Errno.ENODEV);
    }

    [Test]
    public void InfoCmd()
    {
        var r = Replay("selftest/iommufd-info-cmd");
        Fails(r[0], Errno.EINVAL);
        Fails(r[1], Errno.ENODEV);
    }

    [Test]
    public void SetIommuCmd()
    {
        var r = Replay("selftest/iommufd-set-iommu-cmd");
        Fails(r[0], Errno.ENODEV);
        Fails(r[1], Errno.ENODEV);
    }

    [Test]
    public void VfioIoas()
    {
        var r = Replay("selftest/iommufd-vfio-ioas");
        Fails(r[0], Errno.ENODEV);
        Fails(r[1], Errno.ENOENT);
        Succeeds(r[2]);
        Succeeds(r[3]);
        Succeeds(r[4]);
        FieldIs(r[4], "ioas_id", Number(r[2], "out_ioas_id"));
        Succeeds(r[5]);
        Fails(r[6], Errno.ENODEV);
    }
}
