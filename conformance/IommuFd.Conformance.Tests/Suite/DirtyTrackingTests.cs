using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 selftest fixture <c>iommufd_dirty_tracking</c> (enforce_dirty, set_dirty_tracking,
/// device_dirty_capability, get_dirty_bitmap, get_dirty_bitmap_no_clear) for every variant, the *_huge
/// ones (MAP_HUGETLB buffer, a MOCK_FLAGS_DEVICE_HUGE_IOVA device: 1 MiB IO pages) included, and the argument checks and edge cases of IOMMU_HWPT_SET_DIRTY_TRACKING,
/// IOMMU_HWPT_GET_DIRTY_BITMAP and IOMMU_TEST_OP_DIRTY, from the traces mockdomain/dirty-*
/// (MockDomainTraces).</summary>
public sealed class DirtyTrackingTests(BackendKind backend) : MockDomainFixture(backend)
{
    private const ulong MockPage = TestEnv.MockPageSize;

    /// <summary>The variants: name and buffer size.</summary>
    public static IEnumerable<TestCaseData> Variants() =>
        new (string Name, ulong Size)[]
        {
            ("8k", 8UL << 10), ("16k", 16UL << 10), ("64k", 64UL << 10), ("128k", 128UL << 10),
            ("320k", 320UL << 10), ("64M", 64UL << 20), ("128M", 128UL << 20),
            ("64M-huge", 64UL << 20), ("128M-huge", 128UL << 20),
        }.Select(v => new TestCaseData(v.Name, v.Size).SetArgDisplayNames(v.Name));

    /// <summary>The cases that do not use the buffer: one trace for the plain fixture, one for the huge one.</summary>
    public static IEnumerable<TestCaseData> Fixtures() =>
        new[] { ("", "plain"), ("-huge", "huge") }.Select(f => new TestCaseData(f.Item1).SetArgDisplayNames(f.Item2));

    [TestCaseSource(nameof(Fixtures))]
    public void EnforceDirty(string fixture)
    {
        var r = Replay("mockdomain/dirty-enforce" + fixture);
        Assert.Multiple(() =>
        {
            Succeeds(r["hwpt_dirty"]);       // a dirty-tracking HWPT for a capable device
            Succeeds(r["capable_device"]);   // another capable device attaches to it
            Fails(r["no_dirty_device"], Errno.EINVAL);  // a NO_DIRTY device does not
            Succeeds(r["destroy_stdev"]);
            Succeeds(r["destroy_hwpt"]);
            Succeeds(r["no_dirty_on_ioas2"]);
            Fails(r["dirty_hwpt_for_no_dirty"], Errno.EOPNOTSUPP);  // no dirty-tracking HWPT for a NO_DIRTY device
            Succeeds(r["destroy_no_dirty"]);
        });
    }

    [TestCaseSource(nameof(Fixtures))]
    public void SetDirtyTracking(string fixture)
    {
        var r = Replay("mockdomain/dirty-set-tracking" + fixture);
        Assert.Multiple(() =>
        {
            foreach (string step in new[] { "hwpt_dirty", "attach", "enable", "disable", "destroy_stdev", "destroy_hwpt" })
                Succeeds(r[step]);
        });
    }

    [TestCaseSource(nameof(Fixtures))]
    public void DeviceDirtyCapability(string fixture)
    {
        var r = Replay("mockdomain/dirty-device-capability" + fixture);
        Assert.Multiple(() =>
        {
            Succeeds(r["hwpt_plain"]);
            Succeeds(r["attach"]);
            Succeeds(r["hw_info"]);
            FieldIs(r["hw_info"], "out_capabilities", Kernel.AtLeast(7, 3) ? 9UL : 1UL);  // DIRTY_TRACKING; 7.3 adds PCI_ATS_NOT_SUPPORTED
            Succeeds(r["destroy_stdev"]);
            Succeeds(r["destroy_hwpt"]);
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void GetDirtyBitmap(string variant, ulong size) => CheckBitmaps("mockdomain/dirty-get-bitmap-" + variant, size, noClear: false);

    [TestCaseSource(nameof(Variants))]
    public void GetDirtyBitmapNoClear(string variant, ulong size) => CheckBitmaps("mockdomain/dirty-get-bitmap-no-clear-" + variant, size, noClear: true);

    // _test_mock_dirty_bitmaps for a bitmap at offset 0, MOCK_PAGE_SIZE and 0xff1: the first IO page of
    // every two ptes is marked (every even IO page; with 1 MiB ptes every 1024th), read back as its whole
    // pte (one bit, or the 512 bits of the 1 MiB IO page), and read again as nothing (or the same
    // without clearing).
    // The non-huge traces disable large pages on the mapped IOAS first: 7.3's mock table then maps
    // 4 KiB leaves and reports each marked leaf whole, both of its 2 KiB bits.
    private void CheckBitmaps(string traceName, ulong size, bool noClear)
    {
        var r = Replay(traceName);
        ulong nbits = size / MockPage;
        bool huge = traceName.EndsWith("-huge", StringComparison.Ordinal);
        ulong pteBits = huge ? 512UL : 1UL;
        byte[] even = Reported(nbits, 2 * pteBits, Kernel.AtLeast(7, 3) ? 2 : pteBits), none = new byte[even.Length];
        Assert.Multiple(() =>
        {
            AllSucceed(r, from: "mock_domain", until: "enable");
            foreach (string bitmap in new[] { "aligned", "page_unaligned", "u64_unaligned" })
            {
                Succeeds(r[$"{bitmap}_mark"]);
                FieldIs(r[$"{bitmap}_mark"], "dirty.out_nr_dirty", Math.Max(nbits / (2 * pteBits), 1));
                Succeeds(r[$"{bitmap}_get"]);
                Assert.That(Bytes(r[$"{bitmap}_bits"]), Is.EqualTo(even), $"{bitmap}_bits");
                Succeeds(r[$"{bitmap}_get_again"]);
                Assert.That(Bytes(r[$"{bitmap}_bits_again"]), Is.EqualTo(noClear ? even : none), $"{bitmap}_bits_again");
            }
            Succeeds(r["destroy_hwpt"]);
        });
    }

    // The bits of every leaf of leafBits bits holding a marked bit (one in every markEvery).
    private static byte[] Reported(ulong nbits, ulong markEvery, ulong leafBits)
    {
        var bytes = new byte[(nbits + 7) / 8];
        for (ulong leaf = 0; leaf < nbits; leaf += leafBits)
        {
            bool marked = false;
            for (ulong j = leaf; j < Math.Min(leaf + leafBits, nbits); j++)
                marked |= j % markEvery == 0;
            if (marked)
                for (ulong j = leaf; j < Math.Min(leaf + leafBits, nbits); j++)
                    bytes[j / 8] |= (byte)(1 << (int)(j % 8));
        }
        return bytes;
    }

    /// <summary>mockdomain/dirty-huge-edges: a HUGE_IOVA domain over a hugetlb buffer. Each read is 256
    /// bytes of a zeroed bitmap at a page start; bit sizes 2 KiB unless said. A 1 MiB IO page reported
    /// past either end of the range fails the call with EPROTO and sets none of its bits (6.12.118;
    /// before, its bits were written and the call answered 0).</summary>
    [Test]
    public void HugeIoPageEdges()
    {
        var r = Replay("mockdomain/dirty-huge-edges");
        Assert.Multiple(() =>
        {
            AllSucceed(r, from: "ioas", except: ["get_unaligned_start", "get_short_range"]);
            Fails(r["get_unaligned_start"], Errno.EPROTO);
            Fails(r["get_short_range"], Errno.EPROTO);
            // Congruent 4 MiB: entries 5, 600, 2047 marked report MiBs 0, 1 and 3 whole.
            Assert.That(Bytes(r["get_whole_bits"]), Is.EqualTo(Runs((0, 1024), (1536, 512))), "whole");
            Assert.That(Bytes(r["get_no_clear_bits"]), Is.EqualTo(Runs((0, 1024))), "no clear");
            Assert.That(Bytes(r["get_mib_bits_bits"]), Is.EqualTo(Runs((0, 2))), "1 MiB bits");
            // From 8 KiB in, 1 MiB + 8 KiB long (516 bits, 65 bytes): two 1 MiB steps reported from their
            // starts; the first fits, the second would reach past the range's end: EPROTO, not written.
            Assert.That(Bytes(r["get_unaligned_start_bits"]), Is.EqualTo(Runs((0, 512))), "unaligned start");
            Assert.That(Bytes(r["past_the_bitmap"]), Is.EqualTo(new byte[256]), "after the pinned bits");
            // 4 KiB across the first MiB's end (a 1-byte bitmap): one step, the first MiB, which starts
            // before the range: EPROTO, nothing written.
            Assert.That(Bytes(r["get_short_range_bits"]), Is.EqualTo(new byte[256]), "short range");
            Assert.That(Bytes(r["get_after_short_bits"]), Is.EqualTo(Runs((512, 512))), "the second MiB was not reached");
            // Not congruent (VA offset 4 KiB): 2 KiB IO pages.
            Assert.That(Bytes(r["get_not_congruent_bits"]), Is.EqualTo(Runs((3, 1), (700, 1))), "not congruent");
            // From half way into a huge page: 2 KiB pages up to the MiB, then a 1 MiB one.
            Assert.That(Bytes(r["get_mid_page_bits"]), Is.EqualTo(Runs((44, 1), (256, 512))), "mid page");
            // Two areas, the walk restarting at the second one's start (the reports overlap).
            Assert.That(Bytes(r["get_two_areas_bits"]), Is.EqualTo(Runs((0, 1020))), "two areas");
            // A domain added later gets the same 1 MiB IO pages; enabling tracking clears whole MiBs.
            Assert.That(Bytes(r["get_late_bits"]), Is.EqualTo(Runs((0, 512), (1024, 512))), "late domain");
            Assert.That(Bytes(r["get_after_enable_bits"]), Is.EqualTo(new byte[256]), "cleared by enabling");
            Assert.That(Bytes(r["get_remapped_bits"]), Is.EqualTo(Runs((1024, 512))), "remapped");
            // Large pages off: 2 KiB IO pages only.
            Assert.That(Bytes(r["get_small_bits"]), Is.EqualTo(Runs((5, 1), (600, 1))), "large pages off");
        });
    }

    // 256 bytes with the bit runs (first, count) set.
    private static byte[] Runs(params (int First, int Count)[] runs)
    {
        var bytes = new byte[256];
        foreach ((int first, int count) in runs)
            for (int bit = first; bit < first + count; bit++)
                bytes[bit / 8] |= (byte)(1 << (bit % 8));
        return bytes;
    }

    [Test]
    public void ArgumentChecksAndEdges()
    {
        var r = Replay("mockdomain/dirty-errors");
        Assert.Multiple(() =>
        {
            // SET_DIRTY_TRACKING: flags, then the HWPT_PAGING lookup, then dirty ops (both directions).
            Fails(r["set_bad_flags"], Errno.EOPNOTSUPP);
            Fails(r["set_missing"], Errno.ENOENT);
            Fails(r["set_on_ioas"], Errno.ENOENT);
            Fails(r["set_on_stdev"], Errno.ENOENT);
            Fails(r["set_no_dirty_ops"], Errno.EOPNOTSUPP);
            Fails(r["clear_no_dirty_ops"], Errno.EOPNOTSUPP);
            Succeeds(r["disable_when_off"]);
            // IOMMU_TEST_OP_DIRTY needs tracking on (EINVAL), also on a domain without dirty ops.
            Fails(r["mark_not_tracking"], Errno.EINVAL);
            Fails(r["mark_no_dirty_ops"], Errno.EINVAL);
            Succeeds(r["enable"]);
            Succeeds(r["enable_again"]);
            // Its checks: arguments (EINVAL), bit count (EOVERFLOW) before the lookup, then the lookup, tracking, the bitmap.
            foreach (string step in new[] { "mark_page_size_zero", "mark_length_zero", "mark_iova_unaligned", "mark_length_unaligned", "mark_null_uptr" })
                Fails(r[step], Errno.EINVAL);
            Fails(r["mark_too_many_bits"], Errno.EOVERFLOW);
            Fails(r["mark_missing"], Errno.ENOENT);
            Fails(r["mark_on_ioas"], Errno.ENOENT);
            Fails(r["mark_bad_uptr"], Errno.EFAULT);
            FieldIs(r["mark_every_third"], "dirty.out_nr_dirty", 9);  // every third of 32 IO pages, the 8 of the hole not counted
            FieldIs(r["mark_again"], "dirty.out_nr_dirty", 9);  // pages already dirty count again
            // GET_DIRTY_BITMAP: flags and __reserved, lookup, range (length, overflow, IOAS alignment,
            // page_size), and only then dirty ops.
            Fails(r["get_bad_flags"], Errno.EOPNOTSUPP);
            Fails(r["get_reserved"], Errno.EOPNOTSUPP);
            Fails(r["get_missing"], Errno.ENOENT);
            Fails(r["get_on_ioas"], Errno.ENOENT);
            Fails(r["get_length_zero"], Errno.EINVAL);
            Fails(r["get_overflow"], Errno.EOVERFLOW);
            foreach (string step in new[]
                     {
                         "get_iova_below_alignment", "get_length_below_alignment", "get_page_size_zero",
                         "get_iova_not_page_aligned", "get_length_not_page_aligned", "get_no_dirty_ops_bad_range",
                     })
                Fails(r[step], Errno.EINVAL);
            Fails(r["get_no_dirty_ops"], Errno.EOPNOTSUPP);
            // A hole ends the walk with EINVAL (6.12.118; 0 before), the bits before it written; a range
            // starting in a hole reports nothing.
            Fails(r["get_over_hole"], Errno.EINVAL);
            Assert.That(Bytes(r["over_hole_bits"]), Is.EqualTo(Bits(16, 0, 3, 6, 9, 12, 15)));
            Fails(r["get_from_hole"], Errno.EINVAL);
            Assert.That(Bytes(r["from_hole_bits"]), Is.EqualTo(Bits(16, 0, 3, 6, 9, 12, 15)));
            Succeeds(r["get_after_hole"]);
            Assert.That(Bytes(r["after_hole_bits"]), Is.EqualTo(Bits(16, 0, 3, 6)));
            // Granularity: one bit per 4 KiB, two bits per IO page at 1 KiB, 2 KiB bits for 6 KiB, 2048 bits at 1 byte.
            foreach (string step in new[] { "get_4k", "get_1k", "get_6k", "get_1_byte" })
                Succeeds(r[step]);
            byte[] g = Bytes(r["granularity_bits"]);
            Assert.That(g[0x10], Is.EqualTo(0b1101_1011), "4 KiB bits");
            Assert.That(g[0x20..0x24], Is.EqualTo(Bits(4, 0, 1, 6, 7, 12, 13, 18, 19, 24, 25, 30, 31)), "1 KiB bits");
            Assert.That(g[0x30..0x32], Is.EqualTo(Bits(2, 0, 3, 6, 9)), "6 KiB bits");
            Assert.That(g[0x100..0x500], Is.EqualTo(Enumerable.Repeat((byte)0xff, 256).Concat(new byte[512]).Concat(Enumerable.Repeat((byte)0xff, 256)).ToArray()), "1-byte bits");
            // An unwritable bitmap still answers 0 and the bits are cleared.
            Succeeds(r["get_unwritable"]);
            Succeeds(r["get_after_unwritable"]);
            Assert.That(Bytes(r["after_unwritable_bits"]), Is.EqualTo(new byte[16]));
            // Unmapping drops dirty bits; disabling keeps them but stops reporting (EINVAL from 6.12.118,
            // 0 before; nothing written); enabling clears them.
            FieldIs(r["mark_after_hole"], "dirty.out_nr_dirty", 8);
            Succeeds(r["unmap_dirty_area"]);
            Succeeds(r["remap"]);
            Succeeds(r["get_after_remap"]);
            Assert.That(Bytes(r["after_remap_bits"]), Is.EqualTo(new byte[16]));
            FieldIs(r["mark_low"], "dirty.out_nr_dirty", 16);
            Succeeds(r["disable"]);
            Fails(r["get_while_disabled"], Errno.EINVAL);
            Assert.That(Bytes(r["while_disabled_bits"]), Is.EqualTo(new byte[16]));
            Fails(r["mark_while_disabled"], Errno.EINVAL);
            Succeeds(r["enable_clears"]);
            Succeeds(r["get_after_enable"]);
            Assert.That(Bytes(r["after_enable_bits"]), Is.EqualTo(new byte[16]));
            // The index quirk of IOMMU_TEST_OP_DIRTY: (iova + i * page_size) / page_size indexes 2 KiB pages.
            FieldIs(r["mark_quirk_4k"], "dirty.out_nr_dirty", 4);
            FieldIs(r["mark_quirk_below_aperture"], "dirty.out_nr_dirty", 0);
            Succeeds(r["get_quirk"]);
            Assert.That(Bytes(r["quirk_bits"]), Is.EqualTo(Bits(16, 0, 1, 2, 3)));
            Succeeds(r["destroy_stdev"]);
            Succeeds(r["destroy_hwpt"]);
        });
    }

    private static byte[] Bytes(StepResult read)
    {
        Assert.That(read.Hex, Is.Not.Null, () => $"step {read.Step} is not a read: {read}");
        return Convert.FromHexString(read.Hex!);
    }

    private static byte[] Bits(int length, params int[] set)
    {
        var bytes = new byte[length];
        foreach (int i in set)
            bytes[i / 8] |= (byte)(1 << (i % 8));
        return bytes;
    }
}
