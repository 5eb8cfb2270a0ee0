using IommuFd.Conformance.Tests.Support;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>Every documented errno of the IOAS ioctls, in the kernel's check order (spec §3), plus
/// the outputs of the successful calls around them (traces in conformance/traces/errno).</summary>
public sealed class ErrnoTests(string backend) : BackendFixture(backend)
{
    private const ulong Page = TestEnv.PageSize, Base = TestEnv.BaseIova, U64 = TestEnv.U64Max;
    private static bool Thp => TestEnv.TransparentHugePages;

    [Test]
    public void Map()
    {
        var r = Replay("errno/map");
        Assert.Multiple(() =>
        {
            Fails(r[2], Errno.EOPNOTSUPP);   // unknown flag
            Fails(r[3], Errno.EOPNOTSUPP);   // __reserved
            Fails(r[4], Errno.EOVERFLOW);    // iova U64_MAX is checked even without FIXED_IOVA
            Fails(r[5], Errno.EOVERFLOW);    // length U64_MAX
            Fails(r[6], Errno.EINVAL);       // neither readable nor writeable
            Fails(r[7], Errno.EINVAL);       // FIXED_IOVA alone
            Fails(r[8], Errno.ENOENT);       // no such IOAS
            Fails(r[9], Errno.EINVAL);       // length 0
            Fails(r[10], Errno.EOVERFLOW);   // user_va + length wraps
            // length > SIZE_MAX - PAGE_SIZE; 7.3 checks that user_va + length wraps first
            Fails(r[11], Kernel.AtLeast(7, 3) ? Errno.EOVERFLOW : Errno.EINVAL);
            Succeeds(r[12]);                 // IOVA 0 is legal for a fixed map
            FieldIs(r[12], "iova", 0);
            Fails(r[13], Errno.EEXIST);
            Fails(r[14], Errno.EOVERFLOW);   // iova + length - 1 wraps
            Succeeds(r[15]);
            FieldIs(r[15], "iova", Page);    // first fit from PAGE_SIZE
            Succeeds(r[16]);
            FieldIs(r[16], "iova", 0x2001);  // sub-page user address: alignment 1, page offset kept
            Succeeds(r[17]);
            FieldIs(r[17], "iova", 0x3000);
            Fails(r[18], Errno.EADDRINUSE);  // HUGE_PAGES=0 needs every area page aligned
            Succeeds(r[19]);
            FieldIs(r[19], "length", 100);
            Succeeds(r[20]);
            Fails(r[21], Errno.EINVAL);      // length not a multiple of the new alignment
            Fails(r[22], Errno.EINVAL);      // fixed iova not aligned
            Fails(r[23], Errno.EINVAL);      // user address page offset not aligned
            Succeeds(r[26]);
            Fails(r[27], Errno.ENOSPC);      // two pages do not fit the one allowed page
            Succeeds(r[28]);
            FieldIs(r[28], "iova", 0x100000);
            Succeeds(r[29]);                 // fixed maps ignore the allowed ranges
        });
    }

    [Test]
    public void Unmap()
    {
        var r = Replay("errno/unmap");
        Assert.Multiple(() =>
        {
            Fails(r[2], Errno.ENOENT);
            Fails(r[3], Errno.ENOENT);       // the IOAS lookup comes before unmap-all
            Fails(r[4], Errno.EOVERFLOW);
            Fails(r[5], Errno.EOVERFLOW);
            Fails(r[6], Errno.EINVAL);
            Fails(r[7], Errno.EOVERFLOW);
            Fails(r[8], Errno.ENOENT);
            Succeeds(r[9]);
            FieldIs(r[9], "length", 0);
            Succeeds(r[10]);
            Succeeds(r[11]);
            Fails(r[12], Errno.ENOENT);      // second area only partly covered...
            FieldIs(r[12], "length", 2 * Page); // ...and the struct is not written back
            Fails(r[13], Errno.ENOENT);      // ...but the first area is already gone: not atomic
            Succeeds(r[14]);
            FieldIs(r[14], "length", 2 * Page);
            Succeeds(r[17]);
            FieldIs(r[17], "length", 2 * Page); // holes inside the range are fine
        });
    }

    [Test]
    public void Copy()
    {
        var r = Replay("errno/copy");
        Assert.Multiple(() =>
        {
            Fails(r[6], Errno.EOPNOTSUPP);
            Fails(r[7], Errno.EOVERFLOW);
            Fails(r[8], Errno.EOVERFLOW);
            Fails(r[9], Errno.EOVERFLOW);
            Fails(r[10], Errno.EINVAL);
            Fails(r[11], Errno.ENOENT);
            Fails(r[12], Errno.EINVAL);
            Fails(r[13], Errno.EOVERFLOW);
            Fails(r[14], Errno.ENOENT);      // a hole
            Fails(r[15], Errno.ENOENT);      // starts outside any area
            Fails(r[16], Errno.ENOENT);      // runs past the contiguous areas
            Fails(r[17], Errno.ENOENT);      // no destination IOAS
            Fails(r[18], Errno.EPERM);       // writeable copy of a read-only map
            Succeeds(r[19]);
            FieldIs(r[19], "dst_iova", Page);
            Succeeds(r[20]);                 // one copy across two adjacent areas
            FieldIs(r[20], "dst_iova", Thp ? 0x8000UL : 0x2000); // 6 pages: 32 KiB aligned like the source with THP
            Succeeds(r[21]);
            FieldIs(r[21], "dst_iova", Thp ? 0x2064UL : 0x8064); // any sub-range, sub-page offsets kept
            Succeeds(r[22]);
            FieldIs(r[22], "dst_iova", 0x40000);
            Fails(r[23], Errno.EEXIST);
            Succeeds(r[24]);                 // source and destination may be the same IOAS
        });
    }

    [Test]
    public void IovaRanges()
    {
        var r = Replay("errno/iova-ranges");
        Assert.Multiple(() =>
        {
            Fails(r[2], Errno.EOPNOTSUPP);
            Fails(r[3], Errno.ENOENT);
            Fails(r[4], Errno.EFAULT);
            Fails(r[5], Errno.EMSGSIZE);     // no room: NULL is never touched
            FieldIs(r[5], "num_iovas", 1);
            Succeeds(r[8]);
            Succeeds(r[9]);
            FieldIs(r[9], "num_iovas", 1);   // allowed ranges do not change the reported ranges
            Assert.That(Words(r[10]), Is.EqualTo(new ulong[] { 0, U64, 0, 0 }));
        });
    }

    [Test]
    public void AllowIovas()
    {
        var r = Replay("errno/allow-iovas");
        Assert.Multiple(() =>
        {
            Fails(r[4], Errno.EOPNOTSUPP);
            Fails(r[5], Errno.ENOENT);
            Fails(r[6], Errno.EFAULT);
            Fails(r[8], Errno.EINVAL);       // start == last: a one-byte range is rejected
            Fails(r[10], Errno.EINVAL);
            Fails(r[12], Errno.EINVAL);      // ranges of one call overlap
            Succeeds(r[14]);                 // adjacent and unsorted is fine
            Succeeds(r[15]);
            FieldIs(r[15], "iova", Thp ? 0xC000UL : 0xA000); // inside [10 pages, 30 pages), 16 KiB aligned with THP
            Succeeds(r[16]);
            Succeeds(r[17]);
            FieldIs(r[17], "iova", Thp ? 0x4000UL : 0x1000);
        });
    }

    [Test]
    public void Option()
    {
        var r = Replay("errno/option");
        Assert.Multiple(() =>
        {
            Fails(r[0], Errno.EOPNOTSUPP);   // RLIMIT_MODE is global: object_id must be 0
            Fails(r[1], Errno.EOPNOTSUPP);
            Fails(r[2], Errno.EOPNOTSUPP);
            Fails(r[3], Errno.EOPNOTSUPP);
            Succeeds(r[4]);
            Fails(r[5], Errno.EBUSY);        // only on a context without objects
            Fails(r[6], Errno.EOPNOTSUPP);
            Fails(r[7], Errno.EOPNOTSUPP);
            Fails(r[8], Errno.ENOENT);
            Fails(r[9], Errno.EINVAL);
        });
    }

    [Test]
    public void DestroyAndIdAllocation()
    {
        var r = Replay("errno/destroy");
        Assert.Multiple(() =>
        {
            Fails(r[0], Errno.ENOENT);
            FieldIs(r[1], "out_ioas_id", 1);
            FieldIs(r[2], "out_ioas_id", 2);
            FieldIs(r[3], "out_ioas_id", 3);
            Succeeds(r[4]);
            FieldIs(r[5], "out_ioas_id", 2); // the lowest free ID is reused
            FieldIs(r[6], "out_ioas_id", 4);
            Succeeds(r[7]);
            FieldIs(r[9], "out_ioas_id", 1); // every fd has its own IDs
            Fails(r[10], Errno.ENOENT);
        });
    }

    [Test]
    public void VfioIoas()
    {
        var r = Replay("errno/vfio-ioas");
        Assert.Multiple(() =>
        {
            Fails(r[0], Errno.EOPNOTSUPP);
            Fails(r[1], Errno.EOPNOTSUPP);
            Succeeds(r[3]);
            Succeeds(r[4]);
            FieldIs(r[4], "ioas_id", 1);
            Succeeds(r[5]);
            Fails(r[6], Errno.ENODEV);       // destroying the compat IOAS clears it
            Succeeds(r[7]);
        });
    }

    [Test]
    public void HwptIoctlsWithoutDevice()
    {
        // Argument checks come before object lookups; an object of the wrong type is ENOENT.
        var r = Replay("errno/hwpt-no-device");
        Assert.Multiple(() =>
        {
            Fails(r[2], Errno.EOPNOTSUPP);   // HWPT_ALLOC __reserved
            Fails(r[3], Errno.EINVAL);       // data without a data type
            Fails(r[4], Errno.EINVAL);       // a data type without data
            Fails(r[5], Errno.ENOENT);       // no device 0
            Fails(r[6], Errno.ENOENT);       // an IOAS is not a device
            Fails(r[7], Kernel.AtLeast(7, 3) ? Errno.ENOENT : Errno.EOPNOTSUPP); // GET_HW_INFO flags: 7.3's INPUT_TYPE, then no device 0
            Fails(r[8], Errno.EOPNOTSUPP);   // GET_HW_INFO __reserved[1]
            Fails(r[9], Errno.ENOENT);
            Fails(r[10], Errno.EOPNOTSUPP);  // SET_DIRTY_TRACKING unknown flag
            Fails(r[11], Errno.ENOENT);      // an IOAS is not a paging hwpt
            Fails(r[12], Errno.EOPNOTSUPP);  // GET_DIRTY_BITMAP unknown flag
            Fails(r[13], Errno.EOPNOTSUPP);  // GET_DIRTY_BITMAP __reserved
            Fails(r[14], Errno.ENOENT);
            Fails(r[15], Errno.EOPNOTSUPP);  // INVALIDATE __reserved
            Fails(r[16], Errno.EINVAL);      // entries without an array
            Fails(r[17], Errno.EINVAL);      // entries of length 0
            Fails(r[18], Kernel.AtLeast(7, 3) ? Errno.EINVAL : Errno.ENOENT); // an IOAS is not a nested hwpt (7.3 looks up any object)
            Fails(r[19], Errno.EOPNOTSUPP);  // FAULT_QUEUE_ALLOC flags
        });
    }
}
