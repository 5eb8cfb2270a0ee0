using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>Every documented errno of the IOAS ioctls, in the kernel's check order (spec §3), plus
/// the outputs of the successful calls around them (traces in conformance/traces/errno).</summary>
public sealed class ErrnoTests(BackendKind backend) : ConformanceFixture(backend)
{
    private const ulong Page = TestEnv.PageSize, Base = TestEnv.BaseIova, U64 = TestEnv.U64Max;
    private static bool Thp => TestEnv.TransparentHugePages;

    [Test]
    public void Map()
    {
        var r = Replay("errno/map");
        Assert.Multiple(() =>
        {
            Fails(r["unknown_flag"], Errno.EOPNOTSUPP);   // unknown flag
            Fails(r["reserved"], Errno.EOPNOTSUPP);   // __reserved
            Fails(r["iova_u64max"], Errno.EOVERFLOW);    // iova U64_MAX is checked even without FIXED_IOVA
            Fails(r["length_u64max"], Errno.EOVERFLOW);    // length U64_MAX
            Fails(r["no_permission"], Errno.EINVAL);       // neither readable nor writeable
            Fails(r["fixed_only"], Errno.EINVAL);       // FIXED_IOVA alone
            Fails(r["no_ioas"], Errno.ENOENT);       // no such IOAS
            Fails(r["length_0"], Errno.EINVAL);       // length 0
            Fails(r["user_va_overflow"], Errno.EOVERFLOW);   // user_va + length wraps
            // length > SIZE_MAX - PAGE_SIZE; 7.3 checks that user_va + length wraps first
            Fails(r["length_near_max"], Kernel.AtLeast(7, 3) ? Errno.EOVERFLOW : Errno.EINVAL);
            Succeeds(r["fixed_iova_0"]);                 // IOVA 0 is legal for a fixed map
            FieldIs(r["fixed_iova_0"], "iova", 0);
            Fails(r["fixed_overlap"], Errno.EEXIST);
            Fails(r["fixed_iova_overflow"], Errno.EOVERFLOW);   // iova + length - 1 wraps
            Succeeds(r["auto_read_only"]);
            FieldIs(r["auto_read_only"], "iova", Page);    // first fit from PAGE_SIZE
            Succeeds(r["auto_sub_page"]);
            FieldIs(r["auto_sub_page"], "iova", 0x2001);  // sub-page user address: alignment 1, page offset kept
            Succeeds(r["auto_write_only"]);
            FieldIs(r["auto_write_only"], "iova", 0x3000);
            Fails(r["huge_off_misaligned_area"], Errno.EADDRINUSE);  // HUGE_PAGES=0 needs every area page aligned
            Succeeds(r["unmap_sub_page"]);
            FieldIs(r["unmap_sub_page"], "length", 100);
            Succeeds(r["huge_off"]);
            Fails(r["length_not_page_multiple"], Errno.EINVAL);      // length not a multiple of the new alignment
            Fails(r["fixed_misaligned"], Errno.EINVAL);      // fixed iova not aligned
            Fails(r["user_va_sub_page"], Errno.EINVAL);      // user address page offset not aligned
            Succeeds(r["allow_one_page"]);
            Fails(r["no_space"], Errno.ENOSPC);      // two pages do not fit the one allowed page
            Succeeds(r["fits_allowed"]);
            FieldIs(r["fits_allowed"], "iova", 0x100000);
            Succeeds(r["fixed_outside_allowed"]);                 // fixed maps ignore the allowed ranges
        });
    }

    [Test]
    public void Unmap()
    {
        var r = Replay("errno/unmap");
        Assert.Multiple(() =>
        {
            Fails(r["no_ioas"], Errno.ENOENT);
            Fails(r["no_ioas_unmap_all"], Errno.ENOENT);       // the IOAS lookup comes before unmap-all
            Fails(r["iova_u64max"], Errno.EOVERFLOW);
            Fails(r["length_u64max"], Errno.EOVERFLOW);
            Fails(r["length_0"], Errno.EINVAL);
            Fails(r["range_overflow"], Errno.EOVERFLOW);
            Fails(r["nothing_mapped"], Errno.ENOENT);
            Succeeds(r["unmap_all_empty"]);
            FieldIs(r["unmap_all_empty"], "length", 0);
            Succeeds(r["map_a"]);
            Succeeds(r["map_b"]);
            Fails(r["partial_second"], Errno.ENOENT);      // second area only partly covered...
            FieldIs(r["partial_second"], "length", 2 * Page); // ...and the struct is not written back
            Fails(r["first_already_gone"], Errno.ENOENT);      // ...but the first area is already gone: not atomic
            Succeeds(r["second_exact"]);
            FieldIs(r["second_exact"], "length", 2 * Page);
            Succeeds(r["superset_with_holes"]);
            FieldIs(r["superset_with_holes"], "length", 2 * Page); // holes inside the range are fine
        });
    }

    [Test]
    public void Copy()
    {
        var r = Replay("errno/copy");
        Assert.Multiple(() =>
        {
            Fails(r["unknown_flag"], Errno.EOPNOTSUPP);
            Fails(r["length_u64max"], Errno.EOVERFLOW);
            Fails(r["src_u64max"], Errno.EOVERFLOW);
            Fails(r["dst_u64max"], Errno.EOVERFLOW);
            Fails(r["no_permission"], Errno.EINVAL);
            Fails(r["no_src"], Errno.ENOENT);
            Fails(r["length_0"], Errno.EINVAL);
            Fails(r["src_overflow"], Errno.EOVERFLOW);
            Fails(r["hole"], Errno.ENOENT);      // a hole
            Fails(r["starts_before_area"], Errno.ENOENT);      // starts outside any area
            Fails(r["runs_past_areas"], Errno.ENOENT);      // runs past the contiguous areas
            Fails(r["no_dst"], Errno.ENOENT);      // no destination IOAS
            Fails(r["writeable_from_read_only"], Errno.EPERM);       // writeable copy of a read-only map
            Succeeds(r["read_from_read_only"]);
            FieldIs(r["read_from_read_only"], "dst_iova", Page);
            Succeeds(r["across_two_areas"]);                 // one copy across two adjacent areas
            FieldIs(r["across_two_areas"], "dst_iova", Thp ? 0x8000UL : 0x2000); // 6 pages: 32 KiB aligned like the source with THP
            Succeeds(r["sub_range_unaligned"]);
            FieldIs(r["sub_range_unaligned"], "dst_iova", Thp ? 0x2064UL : 0x8064); // any sub-range, sub-page offsets kept
            Succeeds(r["fixed"]);
            FieldIs(r["fixed"], "dst_iova", 0x40000);
            Fails(r["fixed_overlap"], Errno.EEXIST);
            Succeeds(r["fixed_same_ioas"]);                 // source and destination may be the same IOAS
        });
    }

    [Test]
    public void IovaRanges()
    {
        var r = Replay("errno/iova-ranges");
        Assert.Multiple(() =>
        {
            Fails(r["reserved"], Errno.EOPNOTSUPP);
            Fails(r["no_ioas"], Errno.ENOENT);
            Fails(r["null_array"], Errno.EFAULT);
            Fails(r["null_array_no_room"], Errno.EMSGSIZE);     // no room: NULL is never touched
            FieldIs(r["null_array_no_room"], "num_iovas", 1);
            Succeeds(r["allow"]);
            Succeeds(r["after_allow"]);
            FieldIs(r["after_allow"], "num_iovas", 1);   // allowed ranges do not change the reported ranges
            Assert.That(Words(r["ranges_after_allow"]), Is.EqualTo(new ulong[] { 0, U64, 0, 0 }));
        });
    }

    [Test]
    public void AllowIovas()
    {
        var r = Replay("errno/allow-iovas");
        Assert.Multiple(() =>
        {
            Fails(r["reserved"], Errno.EOPNOTSUPP);
            Fails(r["no_ioas"], Errno.ENOENT);
            Fails(r["null_array"], Errno.EFAULT);
            Fails(r["one_byte_range"], Errno.EINVAL);       // start == last: a one-byte range is rejected
            Fails(r["start_after_last"], Errno.EINVAL);
            Fails(r["overlapping"], Errno.EINVAL);      // ranges of one call overlap
            Succeeds(r["adjacent_unsorted"]);                 // adjacent and unsorted is fine
            Succeeds(r["map_in_allowed"]);
            FieldIs(r["map_in_allowed"], "iova", Thp ? 0xC000UL : 0xA000); // inside [10 pages, 30 pages), 16 KiB aligned with THP
            Succeeds(r["clear"]);
            Succeeds(r["map_after_clear"]);
            FieldIs(r["map_after_clear"], "iova", Thp ? 0x4000UL : 0x1000);
        });
    }

    [Test]
    public void Option()
    {
        var r = Replay("errno/option");
        Assert.Multiple(() =>
        {
            Fails(r["rlimit_object_id"], Errno.EOPNOTSUPP);   // RLIMIT_MODE is global: object_id must be 0
            Fails(r["unknown_option"], Errno.EOPNOTSUPP);
            Fails(r["rlimit_unknown_op"], Errno.EOPNOTSUPP);
            Fails(r["reserved"], Errno.EOPNOTSUPP);
            Succeeds(r["ioas"]);
            Fails(r["rlimit_set_busy"], Errno.EBUSY);        // only on a context without objects
            Fails(r["huge_unknown_op"], Errno.EOPNOTSUPP);
            Fails(r["huge_reserved"], Errno.EOPNOTSUPP);
            Fails(r["huge_not_ioas"], Errno.ENOENT);
            Fails(r["huge_set_3"], Errno.EINVAL);
        });
    }

    [Test]
    public void DestroyAndIdAllocation()
    {
        var r = Replay("errno/destroy");
        Assert.Multiple(() =>
        {
            Fails(r["max_id"], Errno.ENOENT);
            FieldIs(r["ioas0"], "out_ioas_id", 1);
            FieldIs(r["ioas1"], "out_ioas_id", 2);
            FieldIs(r["ioas2"], "out_ioas_id", 3);
            Succeeds(r["destroy_middle"]);
            FieldIs(r["reuse"], "out_ioas_id", 2); // the lowest free ID is reused
            FieldIs(r["next"], "out_ioas_id", 4);
            Succeeds(r["destroy_first"]);
            FieldIs(r["other_fd"], "out_ioas_id", 1); // every fd has its own IDs
            Fails(r["destroy_other_fds_id"], Errno.ENOENT);
        });
    }

    [Test]
    public void VfioIoas()
    {
        var r = Replay("errno/vfio-ioas");
        Assert.Multiple(() =>
        {
            Fails(r["reserved"], Errno.EOPNOTSUPP);
            Fails(r["unknown_op"], Errno.EOPNOTSUPP);
            Succeeds(r["set"]);
            Succeeds(r["get"]);
            FieldIs(r["get"], "ioas_id", 1);
            Succeeds(r["destroy"]);
            Fails(r["get_after_destroy"], Errno.ENODEV);       // destroying the compat IOAS clears it
            Succeeds(r["clear_nothing"]);
        });
    }

    [Test]
    public void HwptIoctlsWithoutDevice()
    {
        // Argument checks come before object lookups; an object of the wrong type is ENOENT.
        var r = Replay("errno/hwpt-no-device");
        Assert.Multiple(() =>
        {
            Fails(r["alloc_reserved"], Errno.EOPNOTSUPP);   // HWPT_ALLOC __reserved
            Fails(r["alloc_data_without_type"], Errno.EINVAL);       // data without a data type
            Fails(r["alloc_type_without_data"], Errno.EINVAL);       // a data type without data
            Fails(r["alloc_no_device"], Errno.ENOENT);       // no device 0
            Fails(r["alloc_ioas_as_device"], Errno.ENOENT);       // an IOAS is not a device
            Fails(r["info_flags"], Kernel.AtLeast(7, 3) ? Errno.ENOENT : Errno.EOPNOTSUPP); // GET_HW_INFO flags: 7.3's INPUT_TYPE, then no device 0
            Fails(r["info_reserved"], Errno.EOPNOTSUPP);   // GET_HW_INFO __reserved[1]
            Fails(r["info_ioas_as_device"], Errno.ENOENT);
            Fails(r["dirty_flags"], Errno.EOPNOTSUPP);  // SET_DIRTY_TRACKING unknown flag
            Fails(r["dirty_ioas_as_hwpt"], Errno.ENOENT);      // an IOAS is not a paging hwpt
            Fails(r["bitmap_flags"], Errno.EOPNOTSUPP);  // GET_DIRTY_BITMAP unknown flag
            Fails(r["bitmap_reserved"], Errno.EOPNOTSUPP);  // GET_DIRTY_BITMAP __reserved
            Fails(r["bitmap_ioas_as_hwpt"], Errno.ENOENT);
            Fails(r["invalidate_reserved"], Errno.EOPNOTSUPP);  // INVALIDATE __reserved
            Fails(r["invalidate_null_array"], Errno.EINVAL);      // entries without an array
            Fails(r["invalidate_entry_len_0"], Errno.EINVAL);      // entries of length 0
            Fails(r["invalidate_ioas_as_hwpt"], Kernel.AtLeast(7, 3) ? Errno.EINVAL : Errno.ENOENT); // an IOAS is not a nested hwpt (7.3 looks up any object)
            Fails(r["fault_flags"], Errno.EOPNOTSUPP);  // FAULT_QUEUE_ALLOC flags
        });
    }
}
