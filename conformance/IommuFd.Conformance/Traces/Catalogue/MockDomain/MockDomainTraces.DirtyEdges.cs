using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// Beyond the selftest (DirtyTrackingTests): the argument checks and edges of SET_DIRTY_TRACKING,
// GET_DIRTY_BITMAP and IOMMU_TEST_OP_DIRTY, and how a HUGE_IOVA domain's 1 MiB IO pages are reported.
public sealed partial class MockDomainTraces
{
    private IEnumerable<Trace> DirtyEdgeTraces() => [DirtyHugeEdges(), DirtyErrors()];

    // Where a HUGE_IOVA domain gets 1 MiB IO pages (iommu_pgsize over each physically contiguous run: hugetlb
    // memory, IOVA and physical address congruent modulo 1 MiB, the whole MiB inside the area) and how
    // mock_domain_read_and_clear_dirty walks them: a flagged entry makes a 1 MiB step that tests and clears
    // the whole aligned MiB and reports [step start, + 1 MiB), so an unaligned start reports a shifted MiB,
    // past the range's end too (iova_bitmap then writes bits past the bitmap's last byte, within the page
    // it pinned).
    private Trace DirtyHugeEdges()
    {
        const ulong Mib = MockHugePage;
        TraceBuilder t = New("dirty-huge-edges", Before73);
        TraceBuffer hb = t.AllocHugetlb("hb", 4 * HugePage);
        TraceBuffer bm = t.Alloc("bm", 2 * Page);
        TraceBuffer mk = t.Alloc("mk", Page);
        IoasHandle ioas = t.IoasAlloc("ioas");
        MockDomainHandle m = t.TestMockDomainFlags("huge_device", ioas, HugeIova);
        IoasHandle ioas2 = t.IoasAlloc("ioas2");
        HwptHandle hwpt = HwptAlloc(t, "hwpt_dirty", m.IdevId, ioas2, flags: DirtyTracking);

        // TEST_OP_DIRTY with page_size 2 KiB over 8 MiB from iova: the given entry offsets.
        void Mark(string label, TraceValue hwptId, ulong iova, params int[] entries)
        {
            var data = new byte[8 * Mib / MockPage / 8];
            foreach (int e in entries)
                data[e / 8] |= (byte)(1 << (e % 8));
            t.Write(mk, 0, data);
            t.TestDirty(label, hwptId, iova, 8 * Mib, MockPage, mk.At(0));
        }

        // GET_DIRTY_BITMAP into a zeroed bitmap at the start of "bm", and its first 256 bytes read back.
        void Get(string label, TraceValue hwptId, ulong iova, ulong length, ulong pageSize = MockPage, uint flags = 0)
        {
            t.Write(bm, 0, new byte[256]);
            GetDirty(t, label, hwptId, iova, length, pageSize, bm.At(0), flags);
            t.Read($"{label}_bits", bm, 0, 256);
        }

        // Mapped while the dirty domain is there (the fill at MAP): 4 MiB at the aperture start, congruent.
        t.IoasMapFixed("map_congruent", ioas2, hb.At(0), 4 * Mib, Base);
        t.TestCheckMap("check_map_congruent", hwpt, Base, 4 * Mib, hb.At(0));
        SetDirty(t, "enable", hwpt, enable: true);
        Mark("mark_three_blocks", hwpt, Base, 5, 600, 2047);
        Get("get_whole", hwpt, Base, 4 * Mib);                          // MiB 0, 1 and 3, whole
        Mark("mark_two_blocks", hwpt, Base, 5, 600);
        Get("get_no_clear", hwpt, Base, 4 * Mib, flags: NoClear);
        Get("get_mib_bits", hwpt, Base, 4 * Mib, pageSize: Mib);       // one bit per MiB
        Mark("mark_again", hwpt, Base, 5, 600);
        Get("get_unaligned_start", hwpt, Base + 2 * Page, Mib + 2 * Page); // shifted MiBs, the second past the end
        t.Read("past_the_bitmap", bm, 256, 256);
        Mark("mark_for_short", hwpt, Base, 1, 513);
        // A 4 KiB range across the first MiB's end: one 1 MiB step from its start reports 512 bits (64 bytes
        // of a 1-byte bitmap) and never reaches the second MiB, whose bit stays for the next call.
        Get("get_short_range", hwpt, Base + Mib - MockPage, 2 * MockPage);
        Get("get_after_short", hwpt, Base, 4 * Mib);
        // Off the 1 MiB congruence (VA offset 4 KiB, IOVA offset 0): 2 KiB IO pages only.
        t.IoasMapFixed("map_not_congruent", ioas2, hb.At(4096), 2 * Mib, Base + 8 * Mib);
        Mark("mark_not_congruent", hwpt, Base + 8 * Mib, 3, 700);
        Get("get_not_congruent", hwpt, Base + 8 * Mib, 2 * Mib);
        // Starting half way into a huge page, congruent: 512 KiB of small IO pages, then a large one.
        t.IoasMapFixed("map_mid_page", ioas2, hb.At(4 * Mib + Mib / 2), Mib + Mib / 2, Base + 16 * Mib + Mib / 2);
        Mark("mark_mid_page", hwpt, Base + 16 * Mib, 300, 600, 1000);
        Get("get_mid_page", hwpt, Base + 16 * Mib + Mib / 2, Mib + Mib / 2);
        // Two areas back to back: the walk starts again at the second one.
        t.IoasMapFixed("map_first_half", ioas2, hb.At(6 * Mib), Mib, Base + 24 * Mib);
        t.IoasMapFixed("map_second_half", ioas2, hb.At(7 * Mib), Mib, Base + 25 * Mib);
        Mark("mark_two_areas", hwpt, Base + 24 * Mib, 10, 520);
        Get("get_two_areas", hwpt, Base + 24 * Mib + 2 * Page, 2 * Mib - 2 * Page);
        // A second dirty domain added to the IOAS now: filled from the existing areas, same IO pages.
        HwptHandle late = HwptAlloc(t, "hwpt_dirty_late", m.IdevId, ioas2, flags: DirtyTracking);
        SetDirty(t, "enable_late", late, enable: true);
        Mark("mark_late", late, Base, 5, 1030);
        Get("get_late", late, Base, 4 * Mib);
        // Enabling tracking clears the dirty bits through the same walk.
        Mark("mark_before_disable", late, Base, 5);
        SetDirty(t, "disable_late", late, enable: false);
        SetDirty(t, "enable_clears", late, enable: true);
        Get("get_after_enable", late, Base, 4 * Mib);
        t.Destroy("destroy_late", late);
        // Unmapped and mapped again: the entries are new.
        t.IoasUnmap("unmap_congruent", ioas2, Base, 4 * Mib);
        t.IoasMapFixed("remap_congruent", ioas2, hb.At(0), 4 * Mib, Base);
        Mark("mark_remapped", hwpt, Base, 1500);
        Get("get_remapped", hwpt, Base, 4 * Mib);
        t.TestCheckRefs("refs_compound", hb.At(0), 4 * Mib, 1);         // hugetlb pages pass any count
        t.TestCheckRefs("refs_compound_any", hb.At(0), 4 * Mib, 7);
        t.Destroy("destroy_hwpt", hwpt);
        // Large pages off before the domain: 2 KiB IO pages everywhere.
        IoasHandle ioas3 = t.IoasAlloc("ioas3");
        t.Option("huge_pages_off", Iommufd.IOMMU_OPTION_HUGE_PAGES, Iommufd.IOMMU_OPTION_OP_SET, ioas3, 0);
        HwptHandle small = HwptAlloc(t, "hwpt_small", m.IdevId, ioas3, flags: DirtyTracking);
        t.IoasMapFixed("map_small", ioas3, hb.At(0), 4 * Mib, Base);
        SetDirty(t, "enable_small", small, enable: true);
        Mark("mark_small", small, Base, 5, 600);
        Get("get_small", small, Base, 4 * Mib);
        t.Destroy("destroy_small", small);
        return t.Build();
    }

    // Argument checks and their order, and what the three calls do at the edges. Its answers rest on 6.12's
    // 2 KiB entries over ordinary memory with large pages on; on 7.3 the leaf sizes there follow the physical
    // layout, so the trace is for the kernels before it.
    private Trace DirtyErrors()
    {
        TraceBuilder t = New("dirty-errors", Before73);
        TraceBuffer buf = t.Alloc("buf", 16 * Page);
        TraceBuffer bm = t.Alloc("bm", 2 * Page);
        IoasHandle ioas = t.IoasAlloc("ioas");
        MockDomainHandle m = t.TestMockDomain("mock_domain", ioas);
        TraceValue auto = m.HwptId;
        HwptHandle hwpt = HwptAlloc(t, "hwpt_dirty", m.IdevId, ioas, flags: DirtyTracking);
        t.IoasMapFixed("map_low", ioas, buf.At(0), 8 * Page, Base);
        t.IoasMapFixed("map_after_hole", ioas, buf.AtHex(0x8000), 4 * Page, Base + 12 * Page);
        byte[] fourMarked = [0xff, 0xff, 0xff, 0xff];
        TraceValue bitmap = bm.At(0);

        // SET_DIRTY_TRACKING
        t.HwptSetDirtyTracking("set_bad_flags", 2, hwpt);
        SetDirty(t, "set_missing", 999, enable: true);
        SetDirty(t, "set_on_ioas", ioas, enable: true);
        SetDirty(t, "set_on_stdev", m.StdevId, enable: true);
        SetDirty(t, "set_no_dirty_ops", auto, enable: true);
        SetDirty(t, "clear_no_dirty_ops", auto, enable: false);
        SetDirty(t, "disable_when_off", hwpt, enable: false);
        // IOMMU_TEST_OP_DIRTY before tracking is on
        t.Write(bm, 0, fourMarked);
        t.TestDirty("mark_not_tracking", hwpt, Base, 16 * MockPage, MockPage, bitmap);
        t.TestDirty("mark_no_dirty_ops", auto, Base, 16 * MockPage, MockPage, bitmap);
        SetDirty(t, "enable", hwpt, enable: true);
        SetDirty(t, "enable_again", hwpt, enable: true);
        // IOMMU_TEST_OP_DIRTY argument checks
        t.TestDirty("mark_page_size_zero", hwpt, Base, 16 * MockPage, 0, bitmap);
        t.TestDirty("mark_length_zero", hwpt, Base, 0, MockPage, bitmap);
        t.TestDirty("mark_iova_unaligned", hwpt, Base + 1024, 16 * MockPage, MockPage, bitmap);
        t.TestDirty("mark_length_unaligned", hwpt, Base, 16 * MockPage + 1, MockPage, bitmap);
        t.TestDirty("mark_null_uptr", hwpt, Base, 16 * MockPage, MockPage, 0);
        t.TestDirty("mark_too_many_bits", 999, 0, (1UL << 27) + 1, 1, bitmap);
        t.TestDirty("mark_missing", 999, Base, 16 * MockPage, MockPage, bitmap);
        t.TestDirty("mark_on_ioas", ioas, Base, 16 * MockPage, MockPage, bitmap);
        t.TestDirty("mark_bad_uptr", hwpt, Base, 16 * MockPage, MockPage, UnmappedVa);
        // Bits over mapped and unmapped IO pages: only the mapped ones count, dirty or not already.
        t.Write(bm, 0, Bits(32, 3));
        t.TestDirty("mark_every_third", hwpt, Base, 32 * MockPage, MockPage, bitmap);
        t.TestDirty("mark_again", hwpt, Base, 32 * MockPage, MockPage, bitmap);
        // GET_DIRTY_BITMAP argument checks, in the kernel's order
        GetDirty(t, "get_bad_flags", hwpt, Base, 8 * Page, MockPage, bitmap, flags: 2);
        GetDirty(t, "get_reserved", hwpt, Base, 8 * Page, MockPage, bitmap, extra: new Args { ["__reserved"] = 1 });
        GetDirty(t, "get_missing", 999, Base, 0, MockPage, bitmap);
        GetDirty(t, "get_on_ioas", ioas, Base, 8 * Page, MockPage, bitmap);
        GetDirty(t, "get_length_zero", hwpt, Base, 0, MockPage, bitmap);
        GetDirty(t, "get_overflow", hwpt, U64Max - Page + 1, 2 * Page, 0, bitmap);
        GetDirty(t, "get_iova_below_alignment", hwpt, Base + 1024, 8 * Page, MockPage, bitmap);
        GetDirty(t, "get_length_below_alignment", hwpt, Base, 8 * Page + 1024, 0, bitmap);
        GetDirty(t, "get_page_size_zero", hwpt, Base, 8 * Page, 0, bitmap);
        GetDirty(t, "get_iova_not_page_aligned", hwpt, Base + MockPage, 8 * Page, Page, bitmap);
        GetDirty(t, "get_length_not_page_aligned", hwpt, Base, 8 * Page + MockPage, Page, bitmap);
        GetDirty(t, "get_no_dirty_ops_bad_range", auto, Base + 1, 8 * Page, MockPage, bitmap);
        GetDirty(t, "get_no_dirty_ops", auto, Base, 8 * Page, MockPage, bitmap);
        // Reading: a range over a hole stops at the hole (rc 0); the pages after it stay dirty.
        t.Write(bm, 0, new byte[16]);
        GetDirty(t, "get_over_hole", hwpt, Base, 16 * Page, MockPage, bitmap, flags: NoClear);
        t.Read("over_hole_bits", bm, 0, 16);
        GetDirty(t, "get_from_hole", hwpt, Base + 8 * Page, 8 * Page, MockPage, bitmap);
        t.Read("from_hole_bits", bm, 0, 16);
        t.Write(bm, 0, new byte[16]);
        GetDirty(t, "get_after_hole", hwpt, Base + 12 * Page, 4 * Page, MockPage, bitmap, flags: NoClear);
        t.Read("after_hole_bits", bm, 0, 16);
        // Bit granularity: 4 KiB (two IO pages a bit), 1 KiB (two bits an IO page), 6 KiB (no power of two:
        // the mask test passes, bits are 2 KiB), 1 byte (2048 bits an IO page).
        t.Write(bm, 0, new byte[Page]);
        GetDirty(t, "get_4k", hwpt, Base, 8 * Page, Page, bm.AtHex(0x10), flags: NoClear);
        GetDirty(t, "get_1k", hwpt, Base, 8 * Page, 1024, bm.AtHex(0x20), flags: NoClear);
        GetDirty(t, "get_6k", hwpt, Base, 4 * 6144, 6144, bm.AtHex(0x30), flags: NoClear);
        GetDirty(t, "get_1_byte", hwpt, Base, 2 * Page, 1, bm.AtHex(0x100), flags: NoClear);
        t.Read("granularity_bits", bm, 0, 0x500);
        // An unwritable bitmap: still 0, and the bits are cleared all the same.
        GetDirty(t, "get_unwritable", hwpt, Base, 8 * Page, MockPage, UnmappedVa);
        t.Write(bm, 0, new byte[Page]);
        GetDirty(t, "get_after_unwritable", hwpt, Base, 8 * Page, MockPage, bitmap);
        t.Read("after_unwritable_bits", bm, 0, 16);
        // Unmapping drops the dirty bits with the pages; disabling keeps them; enabling clears them.
        t.Write(bm, 0, fourMarked);
        t.TestDirty("mark_after_hole", hwpt, Base + 12 * Page, 8 * MockPage, MockPage, bitmap);
        t.IoasUnmap("unmap_dirty_area", ioas, Base + 12 * Page, 4 * Page);
        t.IoasMapFixed("remap", ioas, buf.AtHex(0x8000), 4 * Page, Base + 12 * Page);
        t.Write(bm, 0, new byte[16]);
        GetDirty(t, "get_after_remap", hwpt, Base + 12 * Page, 4 * Page, MockPage, bitmap);
        t.Read("after_remap_bits", bm, 0, 16);
        t.Write(bm, 0, fourMarked);
        t.TestDirty("mark_low", hwpt, Base, 16 * MockPage, MockPage, bitmap);
        SetDirty(t, "disable", hwpt, enable: false);
        t.Write(bm, 0, new byte[16]);
        GetDirty(t, "get_while_disabled", hwpt, Base, 8 * Page, MockPage, bitmap);
        t.Read("while_disabled_bits", bm, 0, 16);
        t.TestDirty("mark_while_disabled", hwpt, Base, 16 * MockPage, MockPage, bitmap);
        SetDirty(t, "enable_clears", hwpt, enable: true);
        GetDirty(t, "get_after_enable", hwpt, Base, 8 * Page, MockPage, bitmap);
        t.Read("after_enable_bits", bm, 0, 16);
        // The index quirk: bit i marks the entry at index (iova + i*page_size) / page_size, so with
        // page_size 4 KiB and iova 64 MiB the bits land on the IO pages at 32 MiB.
        t.IoasMapFixed("map_32m", ioas, buf.At(0), 4 * Page, 2 * Base);
        t.Write(bm, 0, [0x0f]);
        t.TestDirty("mark_quirk_4k", hwpt, 4 * Base, 4 * Page, Page, bitmap);
        t.TestDirty("mark_quirk_below_aperture", hwpt, Base, 4 * Page, Page, bitmap);
        t.Write(bm, 0, new byte[16]);
        GetDirty(t, "get_quirk", hwpt, 2 * Base, 4 * Page, MockPage, bitmap);
        t.Read("quirk_bits", bm, 0, 16);
        t.Destroy("destroy_stdev", m.StdevId);
        t.Destroy("destroy_hwpt", hwpt);
        return t.Build();
    }
}
