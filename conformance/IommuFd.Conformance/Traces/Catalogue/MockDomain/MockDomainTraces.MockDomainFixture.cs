using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// The 6.12 fixture iommufd_mock_domain, one trace per case and variant (MockDomainVariantTests): one_domain
// and two_domains (two mock devices on the IOAS; the second reuses the first's automatic HWPT, so both
// hwpt_ids name one domain), and their *_hugepage twins, whose mmap_buf is 2 * HUGEPAGE_SIZE of
// MAP_HUGETLB | MAP_POPULATE memory (the mock devices are plain ones: the domain maps 2 KiB IO pages
// only). Only basic, all_aligns and all_aligns_copy use mmap_buf; the other cases run the same calls in
// every variant.
public sealed partial class MockDomainTraces
{
    private static readonly (string Name, int Domains)[] MockDomainVariants =
        [("one-domain", 1), ("two-domains", 2), ("one-domain-hugepage", 1), ("two-domains-hugepage", 2)];

    /// <summary>The fixture's mmap_buf_size (PAGE_SIZE * 8), and the hugepage variants' (2 * HUGEPAGE_SIZE).</summary>
    private const ulong MmapBuf = 8 * Page, HugeMmapBuf = 2 * HugePage;

    private IEnumerable<Trace> MockDomainFixtureTraces() =>
        MockDomainVariants.SelectMany(v => new[]
        {
            Basic(v.Name, v.Domains), AllAligns(v.Name, v.Domains, copy: false), AllAligns(v.Name, v.Domains, copy: true),
            RoUnshare(v.Name, v.Domains), UserCopy(v.Name, v.Domains), Replace(v.Name, v.Domains), AllocHwpt(v.Name, v.Domains),
        });

    private static bool IsHugepage(string variant) => variant.EndsWith("-hugepage", StringComparison.Ordinal);

    /// <summary>The fixture's set-up: the selftests' buffer, an IOAS and one mock device per domain.</summary>
    private (TraceBuilder T, TraceBuffer Buffer, IoasHandle Ioas, MockDomainHandle[] Devices) MockDomainFixture(string @case, string variant, int domains)
    {
        TraceBuilder t = New($"{@case}-{variant}");
        TraceBuffer buffer = t.Alloc("buffer", SelftestBuffer);
        t.Touch(buffer, (int)(SelftestBuffer / Page));
        IoasHandle ioas = t.IoasAlloc("ioas");
        MockDomainHandle[] devices = Enumerable.Range(0, domains).Select(n => t.TestMockDomain($"mock_domain{n}", ioas)).ToArray();
        return (t, buffer, ioas, devices);
    }

    /// <summary>The fixture's mmap(0, mmap_buf_size, ..., mmap_flags): ordinary pages, or huge pages populated.</summary>
    private static (TraceBuffer Buffer, ulong Size) MmapBuffer(TraceBuilder t, string variant) =>
        IsHugepage(variant) ? (t.AllocHugetlb("buf", HugeMmapBuf), HugeMmapBuf) : (t.Alloc("buf", MmapBuf), MmapBuf);

    /// <summary>check_mock_iova: MD_CHECK_MAP through every hwpt_id.</summary>
    private static void CheckMockIova(TraceBuilder t, string label, IEnumerable<TraceValue> hwpts, TraceValue uptr, TraceValue iova, ulong length)
    {
        int n = 0;
        foreach (TraceValue hwpt in hwpts)
            t.TestCheckMap($"{label}_hwpt{n++}", hwpt, iova, length, uptr);
    }

    private static TraceValue[] HwptIds(MockDomainHandle[] devices) => devices.Select(m => m.HwptId).ToArray();

    private Trace Basic(string variant, int domains)
    {
        (TraceBuilder t, TraceBuffer buffer, IoasHandle ioas, MockDomainHandle[] devices) = MockDomainFixture("basic", variant, domains);
        StepHandle map = t.IoasMap("map_one_page", ioas, buffer.At(0), Page);
        CheckMockIova(t, "check_one_page", HwptIds(devices), buffer.At(0), map.Out("iova"), Page);
        (TraceBuffer buf, ulong size) = MmapBuffer(t, variant);
        t.Protect(buf, size / 2, size / 2, "none", "gone_second_half");
        t.IoasMap("map_half_gone", ioas, buf.At(0), size);
        t.Protect(buf, 0, size / 2, "none", "gone_first_half");
        t.IoasMap("map_all_gone", ioas, buf.At(0), size);
        Teardown(t, buffer, SelftestBuffer);
        return t.Build();
    }

    private Trace AllAligns(string variant, int domains, bool copy)
    {
        (TraceBuilder t, TraceBuffer buffer, IoasHandle ioas, MockDomainHandle[] devices) =
            MockDomainFixture(copy ? "all-aligns-copy" : "all-aligns", variant, domains);
        (TraceBuffer buf, ulong size) = MmapBuffer(t, variant);
        if (!IsHugepage(variant))
            t.Touch(buf, (int)(size / Page)); // huge pages come populated (MAP_POPULATE)
        t.TestCheckRefs("refs_before", buf.At(0), size, 0);

        void Body(ulong start, ulong end, string tag)
        {
            ulong length = end - start;
            StepHandle map = t.IoasMap($"map_{tag}", ioas, buf.At(start), length);
            TraceValue[] checkedHwpts = HwptIds(devices);
            MockDomainHandle? added = null;
            if (copy)
            {
                // Add and destroy a domain while the area exists (it reuses the automatic HWPT).
                added = t.TestMockDomain($"add_{tag}", ioas);
                checkedHwpts = [devices[0].HwptId, added.HwptId];
            }
            CheckMockIova(t, $"check_{tag}", checkedHwpts, buf.At(start), map.Out("iova"), length);
            ulong first = start / Page * Page;
            t.TestCheckRefs($"refs_{tag}", buf.At(first), end / Page * Page - first, 1);
            if (added is not null)
                t.Destroy($"remove_{tag}", added.StdevId);
            t.IoasUnmap($"unmap_{tag}", ioas, map.Out("iova"), length);
        }

        if (IsHugepage(variant))
        {
            // As 6.12 writes it, the hugepage loop maps nothing: end starts at buf_size and the inner loop
            // runs while end < buf_size. The 16 starts (buf_size / 16 apart) only check refs 0 around it.
            t.TestCheckRefs("refs_after", buf.At(0), size, 0);
            // Beyond the selftest: the body once per start with end = buf_size, what the loop seems meant
            // to do. MD_CHECK_REFS 1 passes on huge pages whatever their count (compound pages are skipped).
            for (ulong start = 0; start < size; start += size / 16)
                Body(start, size, $"beyond_{start / MockPage}_{size / MockPage}");
        }
        else
        {
            for (ulong start = 0; start < size; start += MockPage)
                for (ulong end = start + MockPage; end < size; end += MockPage)
                    Body(start, end, $"{start / MockPage}_{end / MockPage}");
        }
        t.TestCheckRefs(IsHugepage(variant) ? "refs_after_beyond" : "refs_after", buf.At(0), size, 0);
        Teardown(t, buffer, SelftestBuffer);
        return t.Build();
    }

    private Trace RoUnshare(string variant, int domains)
    {
        (TraceBuilder t, TraceBuffer buffer, IoasHandle ioas, MockDomainHandle[] devices) = MockDomainFixture("ro-unshare", variant, domains);
        TraceValue[] hwpts = HwptIds(devices);
        // A page of this process's executable, MAP_PRIVATE and writable, mapped for reading only: the
        // long-term pin unshares it (an anonymous copy), so writing it afterwards keeps the PFN.
        TraceBuffer f = t.AllocFile("f", Page, "/proc/self/exe", "mmap_private_file");
        StepHandle readable = t.IoasMap("map_readable", ioas, f.At(0), Page, flags: Iommufd.IOMMU_IOAS_MAP_READABLE);
        CheckMockIova(t, "check_before_write", hwpts, f.At(0), readable.Out("iova"), Page);
        t.Write(f, 0, Enumerable.Repeat((byte)1, (int)Page).ToArray(), "memset");
        CheckMockIova(t, "check_after_write", hwpts, f.At(0), readable.Out("iova"), Page);
        // Beyond the selftest: the pin counts on the page, and a private file page made read-only.
        t.TestCheckRefs("refs_pinned", f.At(0), Page, 1);
        TraceBuffer g = t.AllocFile("g", Page, "/proc/self/exe", "mmap_private_file_ro");
        t.Protect(g, 0, Page, "r", "protect_ro");
        StepHandle readOnly = t.IoasMap("map_ro_readable", ioas, g.At(0), Page, flags: Iommufd.IOMMU_IOAS_MAP_READABLE);
        CheckMockIova(t, "check_ro", hwpts, g.At(0), readOnly.Out("iova"), Page);
        t.TestCheckRefs("refs_ro", g.At(0), Page, 1);
        t.IoasMap("map_ro_writeable", ioas, g.At(0), Page);
        t.IoasUnmap("unmap", ioas, readable.Out("iova"), Page);
        t.TestCheckRefs("refs_unpinned", f.At(0), Page, 0);
        Teardown(t, buffer, SelftestBuffer);
        return t.Build();
    }

    // user_copy as 6.12 writes it: pin in an IOAS without domains, COPY into the fixture's IOAS, then
    // replace the access's IOAS with a new one and do it again.
    private Trace UserCopy(string variant, int domains)
    {
        (TraceBuilder t, TraceBuffer buffer, IoasHandle ioas, MockDomainHandle[] devices) = MockDomainFixture("user-copy", variant, domains);
        TraceValue[] hwpts = HwptIds(devices);
        IoasHandle src = t.IoasAlloc("src_ioas");
        StepHandle srcMap = t.IoasMap("map_src", src, buffer.At(0), SelftestBuffer);
        FdHandle access = t.TestCreateAccess("create_access", src, NeedsPin);
        t.TestAccessPages("pin_src", access.Fd, srcMap.Out("iova"), SelftestBuffer, buffer.At(0), 0);
        CopyToBase(t, "copy", ioas, src, SelftestBuffer, srcMap.Out("iova"));
        CheckMockIova(t, "check_copy", hwpts, buffer.At(0), Base, SelftestBuffer);
        IoasHandle next = t.IoasAlloc("new_ioas");
        StepHandle nextMap = t.IoasMap("map_new", next, buffer.At(0), SelftestBuffer);
        t.TestAccessReplaceIoas("replace_ioas", access.Fd, next);
        t.IoasUnmap("unmap_copy", ioas, Base, SelftestBuffer);
        t.Destroy("destroy_src", src);
        AccessPagesHandle pin = t.TestAccessPages("pin_new", access.Fd, nextMap.Out("iova"), SelftestBuffer, buffer.At(0), 0);
        CopyToBase(t, "copy_again", ioas, next, SelftestBuffer, nextMap.Out("iova"));
        CheckMockIova(t, "check_copy_again", hwpts, buffer.At(0), Base, SelftestBuffer);
        t.TestDestroyAccessPages("unpin", access.Fd, pin.PagesId);
        t.Close("destroy_access", access.Fd);
        t.Destroy("destroy_new", next);
        Teardown(t, buffer, SelftestBuffer);
        return t.Build();
    }

    /// <summary>IOMMU_IOAS_COPY to MOCK_APERTURE_START (FIXED_IOVA | WRITEABLE), dst_iova before src_iova as user_copy sets them.</summary>
    private static StepHandle CopyToBase(TraceBuilder t, string label, IoasHandle dst, IoasHandle src, ulong length, TraceValue srcIova) =>
        t.Ioctl(label, nameof(Iommufd.IOMMU_IOAS_COPY), new Args
        {
            ["flags"] = Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_WRITEABLE, ["dst_ioas_id"] = dst, ["src_ioas_id"] = src,
            ["length"] = length, ["dst_iova"] = Base, ["src_iova"] = srcIova,
        });

    // replace as 6.12 writes it: the first device moves to a new IOAS and back; with one device the
    // old automatic HWPT is gone (ENOENT), with two it lives on through the second device.
    private Trace Replace(string variant, int domains)
    {
        (TraceBuilder t, TraceBuffer buffer, IoasHandle ioas, MockDomainHandle[] devices) = MockDomainFixture("replace", variant, domains);
        TraceValue stdev = devices[0].StdevId;
        IoasHandle ioas2 = t.IoasAlloc("ioas2");
        t.TestMockDomainReplace("to_ioas2", stdev, ioas2);
        if (domains == 1)
            t.TestMockDomainReplace("to_freed_hwpt", stdev, devices[0].HwptId);
        t.TestMockDomainReplace("to_ioas2_again", stdev, ioas2);
        if (domains >= 2)
        {
            t.TestMockDomainReplace("to_hwpt1", stdev, devices[1].HwptId);
            t.TestMockDomainReplace("to_hwpt1_again", stdev, devices[1].HwptId);
            t.TestMockDomainReplace("to_hwpt0", stdev, devices[0].HwptId);
        }
        t.TestMockDomainReplace("back", stdev, ioas);
        t.Destroy("destroy_ioas2", ioas2);
        Teardown(t, buffer, SelftestBuffer);
        return t.Build();
    }

    // alloc_hwpt as 6.12 writes it, for every device of the fixture: bad flags, a plain and a NEST_PARENT
    // HWPT, the device rotated through both (each busy while attached) and back to the IOAS, then a new
    // mock device on the plain one.
    private Trace AllocHwpt(string variant, int domains)
    {
        (TraceBuilder t, TraceBuffer buffer, IoasHandle ioas, MockDomainHandle[] devices) = MockDomainFixture("alloc-hwpt", variant, domains);
        for (int n = 0; n < devices.Length; n++)
        {
            MockDomainHandle m = devices[n];
            HwptAlloc(t, $"bad_flags{n}", m.IdevId, ioas, flags: ~NestParent);
            HwptHandle hwpt0 = HwptAlloc(t, $"hwpt0_{n}", m.IdevId, ioas);
            HwptHandle hwpt1 = HwptAlloc(t, $"hwpt1_nest_parent_{n}", m.IdevId, ioas, flags: NestParent);
            t.TestMockDomainReplace($"to_hwpt0_{n}", m.StdevId, hwpt0);
            t.Destroy($"hwpt0_busy_{n}", hwpt0);
            t.TestMockDomainReplace($"to_hwpt1_{n}", m.StdevId, hwpt1);
            t.Destroy($"hwpt1_busy_{n}", hwpt1);
            t.TestMockDomainReplace($"to_ioas_{n}", m.StdevId, ioas);
            t.Destroy($"hwpt1_free_{n}", hwpt1);
            MockDomainHandle added = t.TestMockDomain($"on_hwpt0_{n}", hwpt0);
            t.Destroy($"stdev_added_{n}", added.StdevId);
            t.Destroy($"hwpt0_free_{n}", hwpt0);
        }
        Teardown(t, buffer, SelftestBuffer);
        return t.Build();
    }
}
