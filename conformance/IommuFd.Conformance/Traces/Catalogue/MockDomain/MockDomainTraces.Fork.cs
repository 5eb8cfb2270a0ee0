using IommuFd.Conformance.Traces.Building;
using IommuFd.Interop;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// iommufd_ioas fork_gone and fork_present (ForkTests): a mapping made by another process. "spawn" starts it
// (it shares the trace's fds like a forked child), its buffer "c" lives in its memory, its MAP is issued by
// it, "exit" ends it (its mm is gone). The selftest's buffer is MAP_SHARED, so it compares against its own
// copy; here the data the access reads is compared with what was written into the child's buffer (kernel vs
// engine too). Every variant creates a mock domain at some point, so all of them run in the virtio VM.
public sealed partial class MockDomainTraces
{
    /// <summary>The variants: mock devices on the IOAS and the temporary memory limit (null: left alone).</summary>
    private static readonly (string Name, int Domains, uint? Limit)[] ForkVariants =
        [("no-domain", 0, null), ("mock-domain", 1, null), ("two-mock-domain", 2, null), ("mock-domain-limit", 1, 16)];

    private const string Child = "p";

    private IEnumerable<Trace> ForkTraces() => ForkVariants.SelectMany(v => new[] { ForkGone(v.Name, v.Domains, v.Limit), ForkPresent(v.Name, v.Domains, v.Limit) });

    /// <summary>The set-up: buffers "t" and "u", an IOAS with the variant's devices and an access, and the child's
    /// 16 pages (each written at both ends, so none is the zero page) mapped by the child at MOCK_APERTURE_START.</summary>
    private (TraceBuilder T, IoasHandle Ioas, FdHandle Access, TraceBuffer Tmp, TraceBuffer All, TraceBuffer ChildBuffer) ForkFixture(
        string @case, string variant, int domains, uint? limit)
    {
        TraceBuilder t = New($"ioas-{@case}-{variant}");
        TraceBuffer tmp = t.Alloc("t", Page);
        TraceBuffer all = t.Alloc("u", 16 * Page);
        IoasHandle ioas = t.IoasAlloc("ioas");
        if (limit is { } bytes)
            t.TestMemoryLimit("memory_limit", bytes);
        for (int n = 0; n < domains; n++)
            t.TestMockDomain($"mock_domain{n}", ioas);
        FdHandle access = t.TestCreateAccess("create_access", ioas, 0);
        t.Spawn("spawn", Child);
        TraceBuffer c = t.Alloc("c", 16 * Page, "child_alloc", Child);
        for (int p = 0; p < 16; p++)
        {
            t.Write(c, (ulong)p * Page, Pattern(64, p));
            t.Write(c, (ulong)p * Page + Page - 64, Pattern(64, p + 16));
        }
        t.Ioctl("child_map", nameof(Iommufd.IOMMU_IOAS_MAP), new Args
        {
            ["flags"] = FixedRw, ["ioas_id"] = ioas, ["user_va"] = c.At(0), ["length"] = 16 * Page, ["iova"] = Base,
        }, proc: Child);
        return (t, ioas, access, tmp, all, c);
    }

    // check_access_rw, sampled: reads and writes around the first page boundary, each write read back through
    // the access (and, while the child lives, in its memory), then a read of all 16 pages.
    private static void ForkAccessRw(TraceBuilder t, FdHandle access, TraceBuffer tmp, TraceBuffer all, TraceBuffer child, bool childAlive)
    {
        int n = 0;
        for (ulong offset = Page - 50; offset < Page + 50; offset += 11)
        {
            foreach (int length in new[] { 1, 9, 63 })
            {
                t.TestAccessRw($"rw_read_{n}", access.Fd, Base + offset, length, tmp.At(0), 0);
                t.Read($"rw_read_{n}_bytes", tmp, 0, length);
                t.Write(tmp, 0, Pattern(length, 40 + n));
                t.TestAccessRw($"rw_write_{n}", access.Fd, Base + offset, length, tmp.At(0), RwWrite);
                t.Write(tmp, 0, new byte[length]);
                t.TestAccessRw($"rw_reread_{n}", access.Fd, Base + offset, length, tmp.At(0), 0);
                t.Read($"rw_reread_{n}_bytes", tmp, 0, length);
                if (childAlive)
                    t.Read($"rw_child_{n}_bytes", child, offset, length);
                n++;
            }
        }
        t.TestAccessRw("rw_all_pages", access.Fd, Base, 16 * Page, all.At(0), 0);
        t.Read("rw_all_pages_head", all, 0, 64);
        t.Read("rw_all_pages_first_boundary", all, Page - 64, 128);
        t.Read("rw_all_pages_tail", all, 15 * Page + Page - 64, 64);
    }

    // The memory limit is global: set it back.
    private static void ForkTeardown(TraceBuilder t, uint? limit)
    {
        if (limit is not null)
            t.TestMemoryLimit("default_memory_limit", DefaultMemoryLimit);
    }

    private Trace ForkGone(string variant, int domains, uint? limit)
    {
        (TraceBuilder t, IoasHandle ioas, FdHandle access, TraceBuffer tmp, TraceBuffer all, TraceBuffer child) =
            ForkFixture("fork-gone", variant, domains, limit);
        t.Exit("child_exit", Child);
        t.TestMockDomain("mock_domain_after", ioas);
        if (domains > 0)
        {
            // Everything was pinned inside the child; the new domain copies from the old one.
            ForkAccessRw(t, access, tmp, all, child, childAlive: false);
        }
        else
        {
            // Pinning needs the child's mm, which is gone: EFAULT, and so for the access's pinning reads.
            t.TestAccessRw("rw_one_page", access.Fd, Base + 8, 8, tmp.At(0), 0);
            t.TestAccessRw("rw_two_pages", access.Fd, Base, 2 * Page, all.At(0), 0);
            t.IoasUnmap("unmap", ioas, Base, 16 * Page);
        }
        t.Close("destroy_access", access.Fd);
        ForkTeardown(t, limit);
        return t.Build();
    }

    private Trace ForkPresent(string variant, int domains, uint? limit)
    {
        (TraceBuilder t, IoasHandle ioas, FdHandle access, TraceBuffer tmp, TraceBuffer all, TraceBuffer child) =
            ForkFixture("fork-present", variant, domains, limit);
        // Read pages from the remote process: the new domain pins them from the child's mm.
        t.TestMockDomain("mock_domain_after", ioas);
        ForkAccessRw(t, access, tmp, all, child, childAlive: true);
        t.Exit("child_exit", Child);
        // The pinned pages outlive the child.
        t.TestAccessRw("rw_after_exit", access.Fd, Base, 16 * Page, all.At(0), 0);
        t.Read("rw_after_exit_bytes", all, Page - 64, 128);
        t.Close("destroy_access", access.Fd);
        ForkTeardown(t, limit);
        return t.Build();
    }
}
