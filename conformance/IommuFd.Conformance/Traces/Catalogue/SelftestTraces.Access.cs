using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// Access objects (the IOMMU_TEST_CMD access ops) without mock domains. An access is an fd: CREATE_ACCESS
// makes it the next trace fd, its ops name it by number ("%K"), and a close destroys it.
public sealed partial class SelftestTraces
{
    private const uint NeedsPin = IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;
    private const uint RwWrite = IommufdTest.MOCK_ACCESS_RW_WRITE;
    private const uint RwSlow = IommufdTest.MOCK_ACCESS_RW_SLOW_PATH;

    private (TraceBuilder T, IoasHandle Ioas, TraceBuffer B, TraceBuffer Scratch, TraceBuffer U) AccessRwFixture(string name)
    {
        TraceBuilder t = New(name);
        TraceBuffer b = t.Alloc("b", 16 * Page);
        TraceBuffer scratch = t.Alloc("t", Page);
        TraceBuffer u = t.Alloc("u", 4 * Page);
        for (int p = 0; p < 4; p++)
            t.Write(b, (ulong)p * Page + Page - 128, Pattern(256, p));
        return (t, t.IoasAlloc("ioas"), b, scratch, u);
    }

    // check_access_rw of the selftest, sampled: IOVAs around the first page boundary (PAGE-50 .. PAGE+49 in
    // steps of 7) and lengths 1..63 bytes, a read then a write of each, each compared through a read of the
    // user memory; then one multi-page read. The mock-domain variants run it too.
    internal static void CheckAccessRw(TraceBuilder t, TraceFd access, ulong iova, uint flags, string tag,
                                      TraceBuffer b, TraceBuffer scratch, TraceBuffer u)
    {
        int n = 0;
        for (ulong off = Page - 50; off < Page + 50; off += 7)
            foreach (int length in (int[])[1, 2, 9, 31, 63])
            {
                t.TestAccessRw($"{tag}_read_{n}", access, iova + off, length, scratch.At(0), flags);
                t.Read($"{tag}_read_{n}_data", scratch, 0, length);
                t.Write(scratch, 0, Pattern(length, n));
                t.TestAccessRw($"{tag}_write_{n}", access, iova + off, length, scratch.At(0), flags | RwWrite);
                t.Read($"{tag}_write_{n}_memory", b, off, length);
                n++;
            }
        t.TestAccessRw($"{tag}_multi_page", access, iova, 4 * Page, u.At(0), flags);
        t.Read($"{tag}_multi_page_first", u, Page - 64, 128);
        t.Read($"{tag}_multi_page_last", u, 3 * Page - 64, 128);
    }

    // The selftest maps at an automatic IOVA; check_access_rw needs offsets from it, so here it is fixed.
    private Trace AccessRw() => AccessRwCase("ioas-access-rw", 0x100000, "map");

    // base_iova + MOCK_PAGE_SIZE: an area that starts mid-page.
    private Trace AccessRwUnaligned() => AccessRwCase("ioas-access-rw-unaligned", FixtureBase + Page / 2, "map_unaligned");

    private Trace AccessRwCase(string name, ulong iova, string mapLabel)
    {
        var (t, ioas, b, scratch, u) = AccessRwFixture(name);
        TraceFd access = t.TestCreateAccess("create_access", ioas, 0).Fd;
        t.IoasMapFixed(mapLabel, ioas, b.At(0), 16 * Page, iova);
        CheckAccessRw(t, access, iova, 0, "fast", b, scratch, u);
        CheckAccessRw(t, access, iova, RwSlow, "slow", b, scratch, u);
        t.IoasUnmap("unmap", ioas, iova, 16 * Page);
        t.Close("destroy_access", access);
        return t.Build();
    }

    private Trace AccessPinUnmap()
    {
        TraceBuilder t = New("ioas-access-pin-unmap");
        TraceBuffer a = t.Alloc("a", 16 * Page);
        t.Touch(a, 16);
        IoasHandle ioas = t.IoasAlloc("ioas");
        TraceFd access = t.TestCreateAccess("create_access", ioas, NeedsPin).Fd;
        t.IoasMapFixed("map", ioas, a.At(0), 16 * Page, Base);
        AccessPagesHandle whole = t.TestAccessPages("access_pages", access, Base, 16 * Page, a.At(0), 0);
        t.TestCheckRefs("refs_pinned", a.At(0), 16 * Page, 1);
        AccessPagesHandle part = t.TestAccessPages("access_pages_part", access, Base + 2 * Page, 3 * Page, a.At(8192), 0);
        t.TestCheckRefs("refs_still_one", a.At(8192), 3 * Page, 1);
        t.IoasUnmap("unmap_notifies", ioas, Base, 16 * Page);
        t.TestCheckRefs("refs_unpinned", a.At(0), 16 * Page, 0);
        t.TestDestroyAccessPages("destroy_pages_gone", access, whole.PagesId);
        t.TestDestroyAccessPages("destroy_part_gone", access, part.PagesId);
        // Two areas: a pin across both, an unmap of the first unpins the whole pin.
        t.IoasMapFixed("map_lo", ioas, a.At(0), 8 * Page, Base);
        t.IoasMapFixed("map_hi", ioas, a.At(32768), 8 * Page, Base + 8 * Page);
        AccessPagesHandle across = t.TestAccessPages("pin_across", access, Base + 6 * Page, 4 * Page, a.At(24576), 0);
        t.TestCheckRefs("refs_across", a.At(24576), 4 * Page, 1);
        t.IoasUnmap("unmap_lo", ioas, Base, 8 * Page);
        t.TestCheckRefs("refs_hi_unpinned", a.At(32768), 8 * Page, 0);
        t.TestDestroyAccessPages("destroy_across_gone", access, across.PagesId);
        t.TestAccessPages("pin_hi_id", access, Base + 8 * Page, Page, a.At(32768), 0);
        t.Close("close_unpins", access);
        t.TestCheckRefs("refs_after_close", a.At(32768), Page, 0);
        t.IoasUnmap("unmap_all", ioas, 0, U64Max);
        return t.Build();
    }

    private Trace AccessErrors()
    {
        const ulong unmappedVa = 0x1000; // below mmap_min_addr: never mapped in any process
        TraceBuilder t = New("ioas-access-errors");
        TraceBuffer a = t.Alloc("a", 8 * Page);
        t.Touch(a, 8);
        TraceBuffer z = t.Alloc("z", Page);
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.TestCreateAccess("create_bad_flags", ioas, 2); // a failed create takes an fd index too
        t.TestCreateAccess("create_no_ioas", 99, 0);
        t.TestCreateAccess("create_id_zero", 0, 0);
        TraceFd pin = t.TestCreateAccess("create_pin", ioas, NeedsPin).Fd;
        TraceFd rw = t.TestCreateAccess("create_rw", ioas, 0).Fd;
        t.FdRead("read_access_fd", rw, 8);
        t.IoasAlloc("ioas_after_access");
        t.Destroy("destroy_access_id_busy", 2);
        t.Destroy("destroy_ioas_busy", ioas);
        t.TestCreateAccess("create_on_access_id", 2, 0);
        t.IoasMapFixed("map", ioas, a.At(0), 4 * Page, Base);
        t.IoasMapFixed("map_readonly", ioas, a.At(16384), 2 * Page, Base + 4 * Page, flags: FixedRo);
        // ACCESS_PAGES
        t.TestAccessPages("pages_on_iommufd_fd", TraceFd.Default, Base, Page, a.At(0), 0);
        t.TestCmd("pages_fd_not_open", IommufdTest.IOMMU_TEST_OP_ACCESS_PAGES, 999, "access_pages", new Args { ["iova"] = Base, ["length"] = Page });
        t.TestAccessPages("pages_rw_only_access", rw, Base, Page, a.At(0), 0);
        t.TestAccessPages("pages_bad_flags", pin, Base, Page, a.At(0), 2);
        t.TestAccessPages("pages_too_long", pin, Base, (16UL << 20) + 1, 0, 0);
        t.TestAccessPages("pages_zero_length", pin, Base, 0, 0, 0);
        t.TestAccessPages("pages_overflow", pin, U64Max - Page + 1, 2 * Page, 0, 0);
        t.TestAccessPages("pages_unaligned", pin, Base + 8, Page, 0, 0);
        t.TestAccessPages("pages_unmapped", pin, Base + 8 * Page, Page, 0, 0);
        t.TestAccessPages("pages_past_end", pin, Base + 5 * Page, 2 * Page, 0, 0);
        t.TestAccessPages("pages_write_readonly", pin, Base + 4 * Page, Page, 0, IommufdTest.MOCK_FLAGS_ACCESS_WRITE);
        t.TestAccessPages("pages_wrong_uptr", pin, Base, Page, a.At(4096), 0);
        t.TestAccessPages("pages_unmapped_uptr", pin, Base, Page, unmappedVa, 0);
        t.TestCheckRefs("refs_nothing_pinned", a.At(0), 8 * Page, 0);
        AccessPagesHandle across = t.TestAccessPages("pages_across_areas", pin, Base, 6 * Page, 0, 0);
        t.TestAccessPages("pages_readonly_read", pin, Base + 4 * Page, Page, 0, 0);
        t.TestAccessPages("pages_write", pin, Base, 4 * Page, a.At(0), IommufdTest.MOCK_FLAGS_ACCESS_WRITE);
        t.TestCheckRefs("refs_pinned", a.At(0), 6 * Page, 1);
        t.TestDestroyAccessPages("destroy_pages_unknown", pin, 77);
        t.TestDestroyAccessPages("destroy_pages_bad_fd", TraceFd.Default, 0);
        t.TestDestroyAccessPages("destroy_pages", pin, across.PagesId);
        t.TestDestroyAccessPages("destroy_pages_again", pin, across.PagesId);
        // A pinned area cannot be split (VFIO type1 hole punching is not involved: COPY works).
        t.Ioctl("copy_pinned", nameof(Iommufd.IOMMU_IOAS_COPY), new Args
        {
            ["flags"] = FixedRw, ["dst_ioas_id"] = ioas, ["src_ioas_id"] = ioas, ["length"] = Page,
            ["dst_iova"] = Base + 16 * Page, ["src_iova"] = Base,
        });
        // ACCESS_RW
        t.TestAccessRw("rw_zero_length", rw, Base, 0, z.At(0), 0);
        t.TestAccessRw("rw_bad_flags", rw, Base, 8, z.At(0), 2);
        t.TestAccessRw("rw_too_long", rw, Base, (16UL << 20) + 1, z.At(0), 0);
        t.TestAccessRw("rw_bad_fd", TraceFd.Default, Base, 8, z.At(0), 0);
        t.TestAccessRw("rw_overflow", rw, U64Max - 3, 8, z.At(0), 0);
        t.TestAccessRw("rw_unmapped", rw, Base + 8 * Page, 8, z.At(0), 0);
        t.TestAccessRw("rw_past_end", rw, Base + 6 * Page - 4, 8, z.At(0), 0);
        t.TestAccessRw("rw_write_readonly", rw, Base + 4 * Page, 8, z.At(0), RwWrite);
        t.Write(z, 0, Pattern(8, 3));
        t.TestAccessRw("rw_write_into_readonly", rw, Base + 4 * Page - 4, 8, z.At(0), RwWrite);
        t.Read("rw_write_into_readonly_memory", a, 4 * Page - 8, 16);
        t.TestAccessRw("rw_read_bad_uptr", rw, Base, 8, unmappedVa, 0);
        t.TestAccessRw("rw_write_bad_uptr", rw, Base, 8, unmappedVa, RwWrite);
        t.TestAccessRw("rw_pin_access_slow", pin, Base + 4 * Page - 4, 8, z.At(0), RwSlow);
        t.Read("rw_pin_access_slow_data", z, 0, 8);
        // ACCESS_REPLACE_IOAS
        IoasHandle ioas2 = t.IoasAlloc("ioas2");
        t.TestAccessReplaceIoas("replace_no_ioas", pin, 99);
        t.TestAccessReplaceIoas("replace_same", pin, ioas);
        AccessPagesHandle before = t.TestAccessPages("pages_before_replace", pin, Base, Page, 0, 0);
        t.TestAccessReplaceIoas("replace", pin, ioas2);
        t.TestCheckRefs("refs_replace_unpinned", a.At(0), Page, 0);
        t.TestDestroyAccessPages("destroy_pages_after_replace", pin, before.PagesId);
        t.TestAccessPages("pages_new_ioas_empty", pin, Base, Page, 0, 0);
        // A pinning access needs page-aligned areas; one that only reads and writes does not.
        t.IoasMapFixed("map_half_page_pinning_access", ioas2, a.At(0), Page / 2, Base);
        t.IoasMapFixed("map_half_page_rw_access", ioas, a.At(0), Page / 2, Base + 8 * Page);
        t.TestCreateAccess("create_pin_unaligned", ioas, NeedsPin);
        // SET_TEMP_MEMORY_LIMIT: below sizeof(long) + sizeof(u32) is refused
        t.TestMemoryLimit("memory_limit_too_small", 11);
        t.TestMemoryLimit("memory_limit_minimum", 12);
        t.TestMemoryLimit("memory_limit_default", DefaultMemoryLimit);
        // Another iommufd can use the access fd; closing fd 0 leaves its context alive.
        TraceFd other = t.Open("open").Fd;
        t.TestAccessRw("rw_from_other_iommufd", rw, Base, 4, z.At(0), 0, fd: other);
        t.Close("close_iommufd", TraceFd.Default);
        t.TestAccessRw("rw_after_iommufd_closed", rw, Base, 4, z.At(0), 0, fd: other);
        t.Close("close_pin_access", pin);
        t.Close("close_rw_access", rw);
        t.TestAccessRw("rw_closed_access", rw, Base, 4, z.At(0), 0, fd: other);
        return t.Build();
    }
}
