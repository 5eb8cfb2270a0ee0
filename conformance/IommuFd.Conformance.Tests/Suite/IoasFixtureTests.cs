using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 selftest fixture <c>iommufd_ioas</c>, variant <c>no_domain</c> (the variants
/// with mock domains: <see cref="IoasMockVariantTests"/>). A 16-page buffer "a", one IOAS.</summary>
public sealed class IoasFixtureTests(BackendKind backend) : ConformanceFixture(backend)
{
    private const ulong Page = TestEnv.PageSize, Base = TestEnv.BaseIova;

    [Test]
    public void IoasAutoDestroy()
    {
        var r = Replay("selftest/ioas-auto-destroy");
        Assert.Multiple(() =>
        {
            foreach (StepResult step in r)
                Succeeds(step);
        });
        FieldIs(r["ioas_fd0"], "out_ioas_id", 1); // fd 0 has its own ID space, untouched by fd 1
    }

    [Test]
    public void IoasDestroy()
    {
        var r = Replay("selftest/ioas-destroy");
        FieldIs(r["ioas"], "out_ioas_id", 1);
        Succeeds(r["destroy"]);
        Fails(r["destroy_again"], Errno.ENOENT);
    }

    [Test]
    public void IoasAreaDestroy()
    {
        var r = Replay("selftest/ioas-area-destroy");
        Succeeds(r["map"]);
        FieldIs(r["map"], "iova", 0); // the no_domain variant maps at base_iova 0
        Succeeds(r["destroy"]);
    }

    [Test]
    public void IoasAreaAutoDestroy()
    {
        var r = Replay("selftest/ioas-area-auto-destroy");
        Assert.Multiple(() =>
        {
            foreach (StepResult step in r)
                Succeeds(step);
        });
    }

    [Test]
    public void Area()
    {
        var r = Replay("selftest/ioas-area");
        Assert.Multiple(() =>
        {
            for (int k = 0; k < 10; k++)
            {
                Fails(r[$"unmap_nothing{k}"], Errno.ENOENT);
                Succeeds(r[$"map{k}"]);
                Succeeds(r[$"unmap{k}"]);
                FieldIs(r[$"unmap{k}"], "length", Page);
            }
            Succeeds(r["map_two_pages"]);
            Fails(r["split_first"], Errno.ENOENT);          // unmapping half an area does not split it
            Fails(r["split_second"], Errno.ENOENT);
            foreach (string over in (string[])["over_same", "over_first", "over_second", "over_start", "over_around"])
                Fails(r[over], Errno.EEXIST);    // over-maps (6.12; the seed said EADDRINUSE)
            Succeeds(r["unmap_all"]);
            FieldIs(r["unmap_all"], "length", 2 * Page);
            Succeeds(r["unmap_all_empty"]);                     // unmap-all on an empty IOAS succeeds in 6.12
            FieldIs(r["unmap_all_empty"], "length", 0);
        });
    }

    [Test]
    public void UnmapFullyContainedAreas()
    {
        var r = Replay("selftest/ioas-unmap-fully-contained-areas");
        for (int k = 0; k < 4; k++)
            Succeeds(r[$"map{k}"]);
        Fails(r["cut_first"], Errno.ENOENT);
        Fails(r["cut_last"], Errno.ENOENT);
        Succeeds(r["superset"]);
        FieldIs(r["superset"], "length", 32 * Page);
    }

    [Test]
    public void AreaAutoIova()
    {
        var r = Replay("selftest/ioas-area-auto-iova");
        Assert.Multiple(() =>
        {
            var simple = Enumerable.Range(0, 10).Select(k => Number(r[$"simple{k}"], "iova")).ToList();
            Assert.That(simple, Is.Unique);
            Assert.That(simple, Is.EqualTo(Enumerable.Range(1, 10).Select(k => (ulong)k * Page)), "first fit from PAGE_SIZE up");
            for (int k = 0; k < 10; k++)
                Succeeds(r[$"simple_unmap{k}"]);
            for (int k = 0; k < 10; k++)
            {
                ulong length = Page * (ulong)(k + 1);
                Succeeds(r[$"aligned{k}"]);
                Assert.That(Number(r[$"aligned{k}"], "iova") % Alignment(length), Is.Zero, $"map of {length} bytes");
                Succeeds(r[$"aligned_unmap{k}"]);
            }
            Succeeds(r["allow"]);
            for (int k = 0; k < 10; k++)
            {
                ulong length = Page * (ulong)(k + 1);
                ulong iova = Number(r[$"allowed{k}"], "iova");
                Succeeds(r[$"allowed{k}"]);
                Assert.That(iova % Alignment(length), Is.Zero);
                Assert.That(iova, Is.GreaterThanOrEqualTo(200 * Page));
                Assert.That(iova + length, Is.LessThanOrEqualTo(600 * Page));
                Succeeds(r[$"allowed_unmap{k}"]);
            }
        });
    }

    [Test]
    public void AreaAutoIovaAvoidsReserved()
    {
        var r = Replay("selftest/ioas-area-auto-iova-reserved");
        Succeeds(r["add_reserved"]);
        Assert.Multiple(() =>
        {
            for (int k = 0; k < 10; k++)
            {
                ulong length = Page * (ulong)(k + 1);
                ulong iova = Number(r[$"map{k}"], "iova");
                Succeeds(r[$"map{k}"]);
                Assert.That(iova % Alignment(length), Is.Zero);
                Assert.That(iova > 4 * Page && iova < 104 * Page, Is.False, "inside the reserved range");
                Succeeds(r[$"unmap{k}"]);
            }
        });
        Fails(r["allow_over_reserved"], Errno.EADDRINUSE);
    }

    [Test]
    public void ReservedOverflow()
    {
        var r = Replay("selftest/ioas-reserved-overflow");
        Succeeds(r["add_reserved"]);
        // The test kernel has no CONFIG_TRANSPARENT_HUGEPAGE: the alignment stops at PAGE_SIZE, so the
        // map fits in the last free span instead of the selftest's ENOSPC (which needs THP's 0x8000).
        Succeeds(r["map"]);
        FieldIs(r["map"], "iova", 0xffff_ffff_ffff_9000);
    }

    [Test]
    public void AreaAllowed()
    {
        var r = Replay("selftest/ioas-area-allowed");
        Succeeds(r["allow"]);
        Fails(r["reserve_in_allowed"], Errno.EADDRINUSE); // reserving inside an allowed range
        Succeeds(r["clear"]);
        Succeeds(r["reserve"]);
        Fails(r["allow_over_reserved"], Errno.EADDRINUSE); // allowing over a reserved range
    }

    [Test]
    public void CopyArea()
    {
        var r = Replay("selftest/ioas-copy-area");
        Succeeds(r["map"]);
        Succeeds(r["copy_inside"]);
        Succeeds(r["dst"]);
        Succeeds(r["copy_between"]);
    }

    [Test]
    public void IovaRanges()
    {
        var r = Replay("selftest/ioas-iova-ranges");
        Succeeds(r["read_all"]);
        FieldIs(r["read_all"], "num_iovas", 1);
        FieldIs(r["read_all"], "out_iova_alignment", 1);
        Assert.That(Words(r["ranges_all"]), Is.EqualTo(new ulong[] { 0, ulong.MaxValue, 0, 0 }));
        Fails(r["too_small"], Errno.EMSGSIZE);
        FieldIs(r["too_small"], "num_iovas", 1);  // the struct is written back before EMSGSIZE
        Assert.That(Words(r["ranges_too_small"]), Is.EqualTo(new ulong[] { 0, 0, 0, 0 }), "nothing written with no room");
    }

    [Test]
    public void IovaRangesWithReserved()
    {
        var r = Replay("selftest/ioas-iova-ranges-reserved");
        Succeeds(r["add_reserved"]);
        Succeeds(r["read_two"]);
        FieldIs(r["read_two"], "num_iovas", 2);
        Assert.That(Words(r["ranges_two"]), Is.EqualTo(new ulong[] { 0, Page - 1, 2 * Page, ulong.MaxValue }));
        Fails(r["too_small"], Errno.EMSGSIZE);
        FieldIs(r["too_small"], "num_iovas", 2);
        Assert.That(Words(r["ranges_too_small"]), Is.EqualTo(new ulong[] { 0, Page - 1, 0, 0 }), "only the first range fits");
    }

    [Test]
    public void IoasOptionHugePages()
    {
        var r = Replay("selftest/ioas-option-huge-pages");
        Succeeds(r["get_default"]);
        FieldIs(r["get_default"], "val64", 1);
        Succeeds(r["set_0"]);
        Succeeds(r["get_0"]);
        FieldIs(r["get_0"], "val64", 0);
        Fails(r["set_2"], Errno.EINVAL);
        Succeeds(r["set_1"]);
        FieldIs(r["get_1"], "val64", 1);
    }

    [Test]
    public void IoasIovaAlloc()
    {
        // Every length from 1 byte to two pages maps without a domain (6.12 ioas_iova_alloc).
        var trace = SuiteTraces.IoasIovaAlloc();
        var r = Replay(trace);
        var failures = r.Where(s => s.Rc != 0).Take(5).ToList();
        Assert.That(failures, Is.Empty, () => string.Join("\n", failures));
    }

    [Test]
    public void IoasAlignChange()
    {
        var r = Replay("selftest/ioas-align-change");
        Succeeds(r["map"]);
        Succeeds(r["huge_off"]);
        Fails(r["misaligned_map"], Errno.EINVAL);
        Succeeds(r["huge_off_again"]);
        Succeeds(r["huge_on"]);
        Succeeds(r["misaligned_map_ok"]);
        Fails(r["huge_off_misaligned"], Errno.EADDRINUSE);
        Succeeds(r["unmap_second"]);
        Succeeds(r["unmap_first"]);
    }

    [Test]
    public void CopySweep()
    {
        const ulong last = Base + TestEnv.BufferSize - 2;
        Trace trace = TraceFiles.Load("selftest/ioas-copy-sweep");
        var r = Replay(trace);
        Succeeds(r["map"]);
        int copies = 0;
        Assert.Multiple(() =>
        {
            for (; trace.Steps.Any(s => s.Label == $"copy{copies}"); copies++)
            {
                string label = $"copy{copies}";
                var copy = (IoctlStep)trace.Steps[trace.IndexOf(label)];
                ulong src = copy.Arg!["src_iova"]!.GetValue<ulong>();
                if (src < Base || src + TestEnv.MockPageSize - 1 > last)
                    Fails(r[label], Errno.ENOENT);
                else
                {
                    Succeeds(r[label]);
                    Succeeds(r[$"unmap{copies}"]); // the unmap after a good copy
                }
            }
        });
        Assert.That(copies, Is.EqualTo(137));
        Succeeds(r["destroy_dst"]);
    }

    [Test]
    public void AllocHwptNestedWithoutDevice()
    {
        var r = Replay("selftest/ioas-alloc-hwpt-nested-no-device");
        Assert.Multiple(() =>
        {
            foreach (string step in (string[])["parent", "nested0", "nested1", "replace0", "replace1"])
                Fails(r[step], Errno.ENOENT); // the device lookup (or the selftest device) comes first
        });
    }

    [Test]
    public void HwptAttachWithoutDevice()
    {
        var r = Replay("selftest/ioas-hwpt-attach-no-device");
        // The 6.12 selftest expects ENOENT, which is what a kernel whose mock IOMMU owns the mock bus
        // answers (virtio-iommu: see MockDomainTests). This fixture's machine is normally the default VM
        // with emulated VT-d: the iommu core offers the mock device to the VT-d driver, which refuses
        // it, so iommufd_device_bind fails its cache-coherency check before pt 0 is looked up. 7.3
        // adds the mock device to the mock IOMMU directly, under any platform IOMMU.
        bool mockIommuProbes = TestKernelEngine.Options().MockIommuOwnsMockBus || Kernel.AtLeast(7, 3);
        Fails(r["mock_domain_on_hwpt_0"], mockIommuProbes ? Errno.ENOENT : Errno.EINVAL);
    }

    [Test]
    public void GetHwInfoWithoutDevice()
    {
        var r = Replay("selftest/ioas-get-hw-info-no-device");
        Fails(r["exact"], Errno.ENOENT);
        Fails(r["larger"], Errno.ENOENT);
    }

    // The selftest checks iova % (1 << (ffs(length) - 1)) == 0, which holds only with transparent
    // huge pages: without them the kernel caps automatic alignment at PAGE_SIZE.
    private static ulong Alignment(ulong length) => Math.Min(length & (~length + 1), TestEnv.MaxIovaAlignment);
}
