using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

/// <summary>traces/mapfile: 7.3's IOMMU_IOAS_MAP_FILE and IOMMU_IOAS_CHANGE_PROCESS, from 7.3's selftests
/// (iommufd.c: cmd_length's rows for them, iommufd_mock_domain's one_domain_file variant of basic,
/// all_aligns, all_aligns_copy and user_copy, the change_process fixture; iommufd_fail_nth.c:
/// map_file_domain). Every trace applies from 7.3 on. The memfds are memfd buffers ("memfd":true):
/// the shared mapping shows the file's pages, which MD_CHECK_MAP and MD_CHECK_REFS compare.</summary>
public sealed class MapFileTraces : TraceCatalogue
{
    /// <summary>The kernels that have IOMMU_IOAS_MAP_FILE and IOMMU_IOAS_CHANGE_PROCESS.</summary>
    public static readonly KernelRange From73 = KernelRange.Parse(">=7.3");

    private const ulong MockPage = Page / 2, SelftestBuffer = 16 * Page, MmapBuf = 8 * Page;
    private const uint NeedsPin = IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;

    /// <summary>The change_process variants: name, and the IOMMU_OPTION_RLIMIT_MODE value set (none: not set).</summary>
    public static readonly (string Name, ulong? RlimitMode)[] AccountVariants =
        [("account-none", null), ("account-user", 0), ("account-mm", 1)];

    /// <inheritdoc />
    public override string Folder => "mapfile";

    /// <inheritdoc />
    public override IEnumerable<Trace> Traces() =>
    [
        CmdLength(), Basic(), AllAligns(copy: false), AllAligns(copy: true), UserCopy(),
        .. AccountVariants.Select(v => ChangeProcess(v.Name, v.RlimitMode)), FailNthMapFileDomain(),
    ];

    // cmd_length's TEST_LENGTH for the two 7.3 structs: one byte short of the minimum (EINVAL), one byte
    // past the struct that is not zero (E2BIG), the struct (an all-zero map_file is EINVAL: no access
    // flag), and one zero byte past it (the same answer).
    private Trace CmdLength()
    {
        TraceBuilder t = New("cmd-length", From73);
        foreach ((string name, string cmd, ulong min, ulong size) in new[]
                 {
                     ("map_file", nameof(IommuFd.Interop.Stable.Iommufd.IOMMU_IOAS_MAP_FILE), 40UL, 40UL),
                     ("change_process", nameof(IommuFd.Interop.Stable.Iommufd.IOMMU_IOAS_CHANGE_PROCESS), 8UL, 8UL),
                 })
        {
            t.Ioctl($"{name}_short", cmd, new Args { ["size"] = min - 1 }, tail: [0xff]);
            t.Ioctl($"{name}_nonzero_tail", cmd, new Args { ["size"] = size + 1 }, tail: [0xff]);
            t.Ioctl($"{name}_exact", cmd, new Args { ["size"] = size });
            t.Ioctl($"{name}_zero_tail", cmd, new Args { ["size"] = size + 1 }, tail: [0x00]);
        }
        return t.Build();
    }

    /// <summary>iommufd_mock_domain with one_domain_file: the selftests' buffer and memfd ("buffer", "mfd",
    /// the memfd holding a pattern), an IOAS and one mock device.</summary>
    private (TraceBuilder T, TraceBuffer Buffer, MemfdBuffer Mfd, IoasHandle Ioas, MockDomainHandle Device) Fixture(string @case)
    {
        TraceBuilder t = New($"{@case}-one-domain-file", From73);
        TraceBuffer buffer = t.Alloc("buffer", SelftestBuffer);
        t.Touch(buffer, (int)(SelftestBuffer / Page));
        MemfdBuffer mfd = t.AllocMemfd("mfd", SelftestBuffer);
        t.Write(mfd.Buffer, 0, Pattern((int)SelftestBuffer, 73));
        IoasHandle ioas = t.IoasAlloc("ioas");
        return (t, buffer, mfd, ioas, t.TestMockDomain("mock_domain0", ioas));
    }

    /// <summary>teardown_iommufd: a fresh fd finds no page of the buffer, nor of the memfd, pinned.</summary>
    private static void Teardown(TraceBuilder t, TraceBuffer buffer, MemfdBuffer mfd)
    {
        t.Close("teardown_close", TraceFd.Default);
        FdHandle fresh = t.Open("teardown_open");
        t.TestCheckRefs("teardown_refs", buffer.At(0), SelftestBuffer, 0, fresh.Fd);
        t.TestCheckRefs("teardown_mfd_refs", mfd.Buffer.At(0), SelftestBuffer, 0, fresh.Fd);
    }

    // basic, test_basic_file: one page of the memfd maps and the domain holds it; a memfd of 8 pages
    // cannot be pinned one byte past its end, nor at all once truncated to nothing.
    private Trace Basic()
    {
        (TraceBuilder t, TraceBuffer buffer, MemfdBuffer mfd, IoasHandle ioas, MockDomainHandle device) = Fixture("basic");
        StepHandle map = t.IoasMapFile("map_one_page", ioas, mfd.Fd.Number, 0, Page);
        t.TestCheckMap("check_one_page_hwpt0", device.HwptId, map.Out("iova"), Page, mfd.Buffer.At(0));
        MemfdBuffer tmp = t.AllocMemfd("tmp", MmapBuf, "memfd_mmap_tmp");
        t.IoasMapFile("map_past_end", ioas, tmp.Fd.Number, 0, MmapBuf + 1);
        t.Truncate("truncate_tmp", tmp.Fd, 0);
        t.IoasMapFile("map_truncated", ioas, tmp.Fd.Number, 0, MmapBuf);
        t.Close("close_tmp", tmp.Fd);
        Teardown(t, buffer, mfd);
        return t.Build();
    }

    // all_aligns and all_aligns_copy with a memfd of 8 pages: every start and end in 2 KiB steps, end below
    // the file's end, mapped by fd and offset and checked through the shared mapping.
    private Trace AllAligns(bool copy)
    {
        (TraceBuilder t, TraceBuffer buffer, MemfdBuffer mfd, IoasHandle ioas, MockDomainHandle device) =
            Fixture(copy ? "all-aligns-copy" : "all-aligns");
        MemfdBuffer buf = t.AllocMemfd("buf", MmapBuf, "memfd_mmap_buf");
        t.TestCheckRefs("refs_before", buf.Buffer.At(0), MmapBuf, 0);
        for (ulong start = 0; start < MmapBuf; start += MockPage)
        {
            for (ulong end = start + MockPage; end < MmapBuf; end += MockPage)
            {
                string tag = $"{start / MockPage}_{end / MockPage}";
                ulong length = end - start;
                StepHandle map = t.IoasMapFile($"map_{tag}", ioas, buf.Fd.Number, start, length);
                TraceValue second = device.HwptId;
                MockDomainHandle? added = null;
                if (copy)
                {
                    // Add and destroy a domain while the area exists (it joins the automatic HWPT).
                    added = t.TestMockDomain($"add_{tag}", ioas);
                    second = added.HwptId;
                }
                t.TestCheckMap($"check_{tag}_hwpt0", device.HwptId, map.Out("iova"), length, buf.Buffer.At(start));
                if (copy)
                    t.TestCheckMap($"check_{tag}_hwpt1", second, map.Out("iova"), length, buf.Buffer.At(start));
                ulong first = start / Page * Page;
                t.TestCheckRefs($"refs_{tag}", buf.Buffer.At(first), end / Page * Page - first, 1);
                if (added is not null)
                    t.Destroy($"remove_{tag}", added.StdevId);
                t.IoasUnmap($"unmap_{tag}", ioas, map.Out("iova"), length);
            }
        }
        t.TestCheckRefs("refs_after", buf.Buffer.At(0), MmapBuf, 0);
        t.Close("close_buf", buf.Fd);
        Teardown(t, buffer, mfd);
        return t.Build();
    }

    // user_copy with the memfd: pinned through an access in an IOAS without domains, copied into the
    // fixture's IOAS, then the access moves to a new IOAS and it is done again.
    private Trace UserCopy()
    {
        (TraceBuilder t, TraceBuffer buffer, MemfdBuffer mfd, IoasHandle ioas, MockDomainHandle device) = Fixture("user-copy");
        IoasHandle src = t.IoasAlloc("src_ioas");
        StepHandle srcMap = t.IoasMapFile("map_src", src, mfd.Fd.Number, 0, SelftestBuffer);
        FdHandle access = t.TestCreateAccess("create_access", src, NeedsPin);
        t.TestAccessPages("pin_src", access.Fd, srcMap.Out("iova"), SelftestBuffer, mfd.Buffer.At(0), 0);
        CopyToBase(t, "copy", ioas, src, srcMap.Out("iova"));
        t.TestCheckMap("check_copy_hwpt0", device.HwptId, Base, SelftestBuffer, mfd.Buffer.At(0));
        IoasHandle next = t.IoasAlloc("new_ioas");
        StepHandle nextMap = t.IoasMapFile("map_new", next, mfd.Fd.Number, 0, SelftestBuffer);
        t.TestAccessReplaceIoas("replace_ioas", access.Fd, next);
        t.IoasUnmap("unmap_copy", ioas, Base, SelftestBuffer);
        t.Destroy("destroy_src", src);
        AccessPagesHandle pin = t.TestAccessPages("pin_new", access.Fd, nextMap.Out("iova"), SelftestBuffer, mfd.Buffer.At(0), 0);
        CopyToBase(t, "copy_again", ioas, next, nextMap.Out("iova"));
        t.TestCheckMap("check_copy_again_hwpt0", device.HwptId, Base, SelftestBuffer, mfd.Buffer.At(0));
        // Beyond the selftest: the access reads the memfd's pattern through the copied area.
        TraceBuffer read = t.Alloc("read", Page);
        t.TestAccessRw("rw_read", access.Fd, nextMap.Out("iova"), 64, read.At(0), 0);
        t.Read("rw_read_bytes", read, 0, 64);
        t.TestDestroyAccessPages("unpin", access.Fd, pin.PagesId);
        t.Close("destroy_access", access.Fd);
        t.Destroy("destroy_new", next);
        Teardown(t, buffer, mfd);
        return t.Build();
    }

    /// <summary>IOMMU_IOAS_COPY to MOCK_APERTURE_START (FIXED_IOVA | WRITEABLE), dst_iova before src_iova as user_copy sets them.</summary>
    private static StepHandle CopyToBase(TraceBuilder t, string label, IoasHandle dst, IoasHandle src, TraceValue srcIova) =>
        t.Ioctl(label, nameof(Iommufd.IOMMU_IOAS_COPY), new Args
        {
            ["flags"] = Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_WRITEABLE, ["dst_ioas_id"] = dst, ["src_ioas_id"] = src,
            ["length"] = SelftestBuffer, ["dst_iova"] = Base, ["src_iova"] = srcIova,
        });

    // change_process.basic: not with an area of user memory (EINVAL); with a file area only, in this
    // process and then in a forked one (the helper "p"). The fixture drops CAP_IPC_LOCK; a replay runs as
    // root and keeps it, so the pages are never charged (IOPT_PAGES_ACCOUNT_NONE) whatever the variant's
    // RLIMIT_MODE, and the VmPin/VmLck counts the selftest reads stay 0. Beyond the selftest: once p is gone
    // the file's pages still pin and read (they need no mm), and the charge moves back.
    private Trace ChangeProcess(string variant, ulong? rlimitMode)
    {
        TraceBuilder t = New($"change-process-{variant}", From73);
        TraceBuffer buffer = t.Alloc("buffer", SelftestBuffer);
        t.Touch(buffer, (int)(SelftestBuffer / Page));
        MemfdBuffer mfd = t.AllocMemfd("mfd", SelftestBuffer);
        t.Write(mfd.Buffer, 0, Pattern((int)Page, 3));
        if (rlimitMode is { } mode)
            t.Option("rlimit_mode", Iommufd.IOMMU_OPTION_RLIMIT_MODE, Iommufd.IOMMU_OPTION_OP_SET, val64: mode);
        IoasHandle ioas = t.IoasAlloc("ioas");
        MockDomainHandle device = t.TestMockDomain("mock_domain", ioas);
        StepHandle user = t.IoasMap("map_user", ioas, buffer.At(0), Page);
        t.IoasChangeProcess("change_with_user_area");
        t.IoasUnmap("unmap_user", ioas, user.Out("iova"), Page);
        StepHandle file = t.IoasMapFile("map_file", ioas, mfd.Fd.Number, 0, Page);
        t.IoasChangeProcess("change_here");
        t.Spawn("fork", "p");
        t.IoasChangeProcess("change_in_child", proc: "p");
        t.Exit("child_exit", "p");
        FdHandle access = t.TestCreateAccess("create_access", ioas, 0);
        TraceBuffer read = t.Alloc("read", Page);
        t.TestAccessRw("rw_after_child", access.Fd, file.Out("iova"), 64, read.At(0), 0);
        t.Read("rw_after_child_bytes", read, 0, 64);
        t.Close("destroy_access", access.Fd);
        t.TestMockDomain("mock_domain_after_child", ioas);
        t.TestCheckMap("check_after_child", device.HwptId, file.Out("iova"), Page, mfd.Buffer.At(0));
        t.IoasChangeProcess("change_back");
        t.IoasChangeProcess("change_reserved", new Args { ["__reserved"] = 1 });
        Teardown(t, buffer, mfd);
        return t.Build();
    }

    // basic_fail_nth.map_file_domain: with a 2 MiB memfd and the temporary memory limit at 32, a mock
    // domain, 64 pages of the memfd mapped into it, the device destroyed and attached again (filling the
    // new domain from the file area).
    private Trace FailNthMapFileDomain()
    {
        TraceBuilder t = New("failnth/map-file-domain", From73);
        MemfdBuffer mfd = t.AllocMemfd("mfd", HugePage);
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.TestMemoryLimit("memory_limit", 32);
        MockDomainHandle device = t.TestMockDomain("mock_domain", ioas);
        t.IoasMapFile("map_file", ioas, mfd.Fd.Number, 0, 262144);
        t.Destroy("destroy_device", device.StdevId);
        t.TestMockDomain("mock_domain_again", ioas);
        t.TestMemoryLimit("memory_limit_default", DefaultMemoryLimit);
        return t.Build();
    }
}
