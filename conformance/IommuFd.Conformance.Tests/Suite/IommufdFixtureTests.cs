using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 selftest fixture <c>iommufd</c> (a bare /dev/iommu fd), one test per case.</summary>
public sealed class IommufdFixtureTests(BackendKind backend) : ConformanceFixture(backend)
{
    [Test]
    public void SimpleClose()
    {
        var r = Replay("selftest/iommufd-simple-close");
        Succeeds(r["open"]);
        Succeeds(r["close"]);
    }

    [Test]
    public void CmdFail()
    {
        var r = Replay("selftest/iommufd-cmd-fail");
        Fails(r["destroy_id0"], Errno.ENOENT);  // DESTROY id 0
        Fails(r["destroy_null"], Errno.EFAULT);  // NULL argument: the size is read before anything else
        Fails(r["nr_7f"], Errno.ENOTTY);  // _IO(';', 0x7F): below the table, VFIO compat does not know it
        Fails(r["type_x_nr_7f"], Errno.ENOTTY);  // _IO('X', 0x7F): the NR decides the path, not the type
        // A hole in 6.12's table with a readable argument; 7.3's IOMMU_IOAS_MAP_FILE, whose size 0 is below its minimum.
        Fails(r["table_hole"], Kernel.AtLeast(7, 3) ? Errno.EINVAL : Errno.ENOTTY);
        Fails(r["table_hole_null"], Errno.EFAULT);  // the same hole with NULL: get_user comes first
        Fails(r["iowr_destroy"], Errno.ENOTTY);  // _IOWR(';', 0x80, 8): the full request must match
        Fails(r["beyond_table_null"], Errno.ENOTTY);  // beyond the table: VFIO path, no memory read even for NULL
    }

    [Test]
    public void CmdExFail()
    {
        var r = Replay("selftest/iommufd-cmd-ex-fail");
        Fails(r["zero_tail"], Errno.ENOENT);  // 8 zero bytes past the struct are accepted
        Fails(r["nonzero_tail"], Errno.E2BIG);   // a non-zero byte past the struct is not
        Fails(r["exact"], Errno.ENOENT);
        Fails(r["short"], Errno.EINVAL);  // shorter than the minimum (6.12; the v3 seed said EOPNOTSUPP)
    }

    [Test]
    public void GlobalOptions()
    {
        var r = Replay("selftest/iommufd-global-options");
        Succeeds(r["rlimit_get"]);
        FieldIs(r["rlimit_get"], "val64", 0);  // RLIMIT_MODE defaults to user accounting on /dev/iommu
        Succeeds(r["rlimit_set_1"]);             // needs CAP_SYS_RESOURCE: the suite runs as root
        Fails(r["rlimit_set_2"], Errno.EINVAL);
        Succeeds(r["rlimit_get_again"]);
        FieldIs(r["rlimit_get_again"], "val64", 1);
        Succeeds(r["rlimit_set_0"]);
        Fails(r["huge_get_no_object"], Errno.ENOENT);  // HUGE_PAGES needs an IOAS; object 0 never is one
        Fails(r["huge_set_no_object"], Errno.ENOENT);
    }

    [Test]
    public void SimpleIoctls()
    {
        var r = Replay("selftest/iommufd-simple-ioctls");
        Succeeds(r["api_version"], rc: 0);  // VFIO_API_VERSION
        Succeeds(r["type1v2"], rc: 1);  // VFIO_TYPE1v2_IOMMU is supported
    }

    [Test]
    public void UnmapCmd()
    {
        var r = Replay("selftest/iommufd-unmap-cmd");
        Fails(r["argsz_1"], Errno.EINVAL);
        Fails(r["bad_flags"], Errno.EINVAL);
        Fails(r["no_compat_ioas"], Errno.ENODEV);
    }

    [Test]
    public void MapCmd()
    {
        var r = Replay("selftest/iommufd-map-cmd");
        Fails(r["argsz_1"], Errno.EINVAL);
        Fails(r["bad_flags"], Errno.EINVAL);
        Fails(r["no_compat_ioas"], Errno.ENODEV);
    }

    [Test]
    public void InfoCmd()
    {
        var r = Replay("selftest/iommufd-info-cmd");
        Fails(r["argsz_1"], Errno.EINVAL);
        Fails(r["no_compat_ioas"], Errno.ENODEV);
    }

    [Test]
    public void SetIommuCmd()
    {
        var r = Replay("selftest/iommufd-set-iommu-cmd");
        Fails(r["type1v2"], Errno.ENODEV);
        Fails(r["type1"], Errno.ENODEV);
    }

    [Test]
    public void VfioIoas()
    {
        var r = Replay("selftest/iommufd-vfio-ioas");
        Fails(r["get_none"], Errno.ENODEV);
        Fails(r["set_id0"], Errno.ENOENT);
        Succeeds(r["ioas"]);
        Succeeds(r["set"]);
        Succeeds(r["get"]);
        FieldIs(r["get"], "ioas_id", Number(r["ioas"], "out_ioas_id"));
        Succeeds(r["clear"]);
        Fails(r["get_after_clear"], Errno.ENODEV);
    }
}
