using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 selftest fixture <c>iommufd_ioas</c> under its mock-domain variants
/// (<see cref="IoasVariant"/>): every case runs once per variant, from the trace
/// mockdomain/ioas-&lt;case&gt;-&lt;variant&gt; (MockDomainTraces), its steps named by label. The
/// selftest's own expectations, with its branches on self->stdev_id (base_iova is MOCK_APERTURE_START).</summary>
public sealed class IoasMockVariantTests(BackendKind backend) : MockDomainFixture(backend)
{
    private const ulong Page = TestEnv.PageSize, Base = TestEnv.BaseIova, MockPage = TestEnv.MockPageSize;

    public static IEnumerable<string> Variants() => IoasVariant.All;

    [Test]
    public void AutoDestroy([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("auto-destroy", variant);
        // IDs: IOAS 1, then per device the selftest object, the device and (first time) the automatic HWPT,
        // which the second device of two_mock_domain shares.
        FieldIs(r["mock_domain0"], "mock_domain.out_stdev_id", 2);
        FieldIs(r["mock_domain0"], "mock_domain.out_idev_id", 3);
        FieldIs(r["mock_domain0"], "mock_domain.out_hwpt_id", 4);
        if (variant == IoasVariant.TwoMockDomain)
        {
            FieldIs(r["mock_domain1"], "mock_domain.out_stdev_id", 5);
            FieldIs(r["mock_domain1"], "mock_domain.out_idev_id", 6);
            FieldIs(r["mock_domain1"], "mock_domain.out_hwpt_id", 4);
        }
    }

    [Test]
    public void Destroy([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("destroy", variant);
        Fails(r["destroy"], Errno.EBUSY); // a device's HWPT holds the IOAS
    }

    [Test]
    public void AreaDestroy([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("area-destroy", variant);
        Succeeds(r["map"]);
        Fails(r["destroy"], Errno.EBUSY);
    }

    [Test]
    public void AreaAutoDestroy([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("area-auto-destroy", variant);
        Assert.Multiple(() =>
        {
            for (int k = 0; k < 10; k++)
                Succeeds(r[$"map{k}"]); // the teardown finds every page unpinned after the close
        });
    }

    [Test]
    public void HwptAttach([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("hwpt-attach", variant);
        Succeeds(r["attach_to_hwpt"]); // a device attached directly to the (automatic) HWPT
        FieldIs(r["attach_to_hwpt"], "mock_domain.out_hwpt_id", Number(r[LastDevice(variant)], "mock_domain.out_hwpt_id"));
    }

    [Test]
    public void GetHwInfo([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("get-hw-info", variant);
        Assert.Multiple(() =>
        {
            Succeeds(r["zero_size"]);                                // a zero-size buffer
            FieldIs(r["zero_size"], "data_len", 8);
            FieldIs(r["zero_size"], "out_data_type", 0xfeedbeef);    // IOMMU_HW_INFO_TYPE_SELFTEST
            FieldIs(r["zero_size"], "out_max_pasid_log2", 0);        // the fixture's device has no PASID
            Succeeds(r["exact"]);
            Assert.That(Words(r["exact_bytes"]), Is.EqualTo(new[] { 0xdeadbeef00000000UL, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue }));
            Succeeds(r["larger"]);                                   // the trailing bytes are zeroed
            Assert.That(Words(r["larger_bytes"]), Is.EqualTo(new[] { 0xdeadbeef00000000UL, 0UL, ulong.MaxValue, ulong.MaxValue }));
            Succeeds(r["smaller"]);                                  // the flags within the size are written
            FieldIs(r["smaller"], "data_len", 8);
            Assert.That(Words(r["smaller_bytes"])[0], Is.EqualTo(0xffffffff00000000UL));
        });
    }

    [Test]
    public void AllocHwptNested([ValueSource(nameof(Variants))] string variant)
    {
        // The device branch (MockDomainTraces.AllocHwptNestedBody; NestedHwptTests checks each errno).
        var r = Replay("alloc-hwpt-nested", variant);
        Assert.Multiple(() =>
        {
            Succeeds(r["parent"]);               // the NEST_PARENT HWPT
            foreach (string bad in new[]
                     {
                         "data_none", "data_type_plus_one", "data_len_short", "data_len_page", "data_null",
                         "nested_nest_parent", "parent_without_nest_parent", "parent_automatic",
                     })
                Assert.That(r[bad].Errno, Is.Not.Zero, () => $"bad nested allocation {bad}: {r[bad]}");
            // data_len 5: 7.3's 8-byte iommu_hwpt_selftest takes it (__mock_domain_alloc_nested, selftest.c:353)
            if (Kernel.AtLeast(7, 3))
                Succeeds(r["data_len_long"]);
            else
                Fails(r["data_len_long"], Errno.EINVAL);
            Succeeds(r["nested0"]);
            Succeeds(r["nested1"]);
            Fails(r["parent_busy"], Errno.EBUSY); // the parent is held by its nested HWPTs
            Succeeds(r["inv_1"]);                 // an invalidation
            Succeeds(r["to_nested0"]);            // the fixture's (last) device onto nested0
            Succeeds(r["second_device_on_nested"]); // another device attached to a nested HWPT
            // every HWPT freed in order; on 7.3 data_len_long's nested HWPT still holds the parent
            if (Kernel.AtLeast(7, 3))
                Fails(r["parent_free"], Errno.EBUSY);
            else
                Succeeds(r["parent_free"]);
            Succeeds(r["next_id"]);
        });
    }

    [Test]
    public void Area([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("area", variant);
        Assert.Multiple(() =>
        {
            for (int k = 0; k < 10; k++)
            {
                Fails(r[$"unmap_nothing{k}"], Errno.ENOENT); // unmap of nothing
                Succeeds(r[$"map{k}"]);                       // fixed maps
                Succeeds(r[$"unmap{k}"]);
                FieldIs(r[$"unmap{k}"], "length", Page);
            }
            Succeeds(r["map_two_pages"]);
            Fails(r["split_first"], Errno.ENOENT);            // unmapping half an area does not split it
            Fails(r["split_second"], Errno.ENOENT);
            foreach (string over in new[] { "over_same", "over_first", "over_second", "over_start", "over_around" })
                Fails(r[over], Errno.EEXIST);
            Succeeds(r["unmap_all"]);
            FieldIs(r["unmap_all"], "length", 2 * Page);
            Succeeds(r["unmap_all_empty"]);
            FieldIs(r["unmap_all_empty"], "length", 0);
        });
    }

    [Test]
    public void UnmapFullyContainedAreas([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("unmap-fully-contained-areas", variant);
        for (int k = 0; k < 4; k++)
            Succeeds(r[$"map{k}"]);
        Fails(r["cut_first"], Errno.ENOENT);
        Fails(r["cut_last"], Errno.ENOENT);
        Succeeds(r["superset"]);
        FieldIs(r["superset"], "length", 32 * Page);
    }

    [Test]
    public void AreaAutoIova([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("area-auto-iova", variant);
        Assert.Multiple(() =>
        {
            var simple = Enumerable.Range(0, 10).Select(k => Number(r[$"simple{k}"], "iova")).ToList();
            Assert.That(simple, Is.EqualTo(Enumerable.Range(0, 10).Select(k => Base + (ulong)k * Page)),
                        "first fit from the aperture's start");
            for (int k = 0; k < 10; k++)
                Succeeds(r[$"simple_unmap{k}"]);
            AutomaticMaps(r, "aligned", 0, ulong.MaxValue);
            Succeeds(r["add_reserved"]);                                     // ADD_RESERVED below the aperture
            AutomaticMaps(r, "reserved", 0, ulong.MaxValue);                 // avoiding it (trivially)
            for (int k = 0; k < 10; k++)
                Assert.That(Number(r[$"reserved{k}"], "iova") is > 4 * Page and < 104 * Page, Is.False);
            Fails(r["allow_over_reserved"], Errno.EADDRINUSE);               // allowed over the reservations
            Succeeds(r["allow"]);
            AutomaticMaps(r, "allowed", Base + Page, Base + 600 * Page - 1);
        });
    }

    // Ten automatic maps of 1..10 pages (prefix0..9), their unmaps (prefix_unmap0..9): each aligned and inside [start, last].
    private static void AutomaticMaps(ReplayResults r, string prefix, ulong start, ulong last)
    {
        for (int k = 0; k < 10; k++)
        {
            ulong length = Page * (ulong)(k + 1);
            StepResult map = r[$"{prefix}{k}"];
            ulong iova = Number(map, "iova");
            Succeeds(map);
            Assert.That(iova % Math.Min(length & (~length + 1), TestEnv.MaxIovaAlignment), Is.Zero, $"map of {length} bytes");
            Assert.That(iova, Is.InRange(Math.Max(start, Base), Math.Min(last, IoasVariant.ApertureLast) - length + 1));
            Succeeds(r[$"{prefix}_unmap{k}"]);
        }
    }

    [Test]
    public void AreaAllowed([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("area-allowed", variant);
        Succeeds(r["allow"]);
        Fails(r["reserve_in_allowed"], Errno.EADDRINUSE); // reserving inside an allowed range
        Succeeds(r["clear"]);
        Succeeds(r["reserve"]);
        Fails(r["allow_over_reserved"], Errno.EADDRINUSE); // allowing over a reserved range
    }

    [Test]
    public void CopyArea([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("copy-area", variant);
        Assert.Multiple(() =>
        {
            foreach (string step in new[] { "map", "copy_inside", "dst", "copy_between", "check_map", "check_map_copy" })
                Succeeds(r[step]); // MD_CHECK_MAP finds the page at both IOVAs
        });
    }

    [Test]
    public void IovaRanges([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("iova-ranges", variant);
        Assert.Multiple(() =>
        {
            Succeeds(r["read_all"]);
            FieldIs(r["read_all"], "num_iovas", 1);
            FieldIs(r["read_all"], "out_iova_alignment", MockPage);
            Assert.That(Words(r["ranges_all"]), Is.EqualTo(new ulong[] { Base, IoasVariant.ApertureLast, 0, 0 }));
            Fails(r["too_small"], Errno.EMSGSIZE);
            FieldIs(r["too_small"], "num_iovas", 1);
            Assert.That(Words(r["ranges_too_small"]), Is.EqualTo(new ulong[] { 0, 0, 0, 0 }));
            Succeeds(r["add_reserved"]);               // reserved below the aperture: no new range
            Succeeds(r["read_with_reserved"]);
            FieldIs(r["read_with_reserved"], "num_iovas", 1);
            Assert.That(Words(r["ranges_with_reserved"]), Is.EqualTo(new ulong[] { Base, IoasVariant.ApertureLast, 0, 0 }));
            Succeeds(r["read_one"]);                   // room for one is enough
            FieldIs(r["read_one"], "num_iovas", 1);
            Assert.That(Words(r["ranges_one"]), Is.EqualTo(new ulong[] { Base, IoasVariant.ApertureLast, 0, 0 }));
        });
    }

    [Test]
    public void OptionHugePages([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("option-huge-pages", variant);
        Succeeds(r["get_default"]);
        FieldIs(r["get_default"], "val64", 1);
        Succeeds(r["set_0"]);                          // off with domains but no areas
        FieldIs(r["get_0"], "val64", 0);
        Fails(r["set_2"], Errno.EINVAL);
        Succeeds(r["set_1"]);
        FieldIs(r["get_1"], "val64", 1);
    }

    [Test]
    public void CopySweep([ValueSource(nameof(Variants))] string variant)
    {
        const ulong last = Base + TestEnv.BufferSize - 1;
        var r = Replay("copy-sweep", variant);
        Succeeds(r["map"]);
        int copies = 0;
        Assert.Multiple(() =>
        {
            foreach ((TraceStep step, StepResult result) in r.Steps(from: "map", until: "destroy_dst").Skip(1))
            {
                if (step is not IoctlStep { Command: "IOMMU_IOAS_COPY" } copy)
                {
                    Succeeds(result); // the unmap after a good copy, and the destroy
                    continue;
                }
                copies++;
                ulong src = copy.Arg!["src_iova"]!.GetValue<ulong>();
                if (src < Base || src + MockPage - 1 > last)
                    Fails(result, Errno.ENOENT);
                else
                    Succeeds(result);
            }
        });
        Assert.That(copies, Is.EqualTo(137));
    }

    [Test]
    public void IoasIovaAlloc([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay(IoasVariant.IoasIovaAlloc(variant));
        CheckFixture(r, variant);
        Assert.Multiple(() =>
        {
            for (ulong length = 1; length < 2 * Page; length++)
            {
                if (length % MockPage != 0)
                {
                    Fails(r[$"map_{length}"], Errno.EINVAL); // with a domain a length must be whole 2 KiB IO pages
                    continue;
                }
                Succeeds(r[$"map_{length}"]);
                Succeeds(r[$"unmap_{length}"]);
            }
        });
    }

    [Test]
    public void AccessDomainDestroy([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("access-domain-destroy", variant);
        Assert.Multiple(() =>
        {
            // map, access, pin, refs 1 (domains and the pin share one), destroy stdev
            foreach (string step in new[] { "map", "create_access", "pin", "refs_domain_and_pin", "destroy_stdev" })
                Succeeds(r[step]);
            Succeeds(r["refs_pinned_page"]);  // the pinned page keeps its pin
            // the others: unpinned, unless a domain still holds them: two_mock_domain's first, or on 7.3 the
            // PASID device's, so the trace's refs 0 is EIO there (iommufd_test_md_check_refs, selftest.c:1270)
            if (IoasVariant.HasPasidDevice(variant) && Kernel.AtLeast(7, 3))
                Fails(r["refs_other_page"], Errno.EIO);
            else
                Succeeds(r["refs_other_page"]);
            Succeeds(r["unpin"]);
            Succeeds(r["destroy_access"]);
        });
    }

    [Test]
    public void AccessDomainDestroyHugetlb([ValueSource(nameof(Variants))] string variant)
    {
        // 6.12's buffer: 4 MiB of MAP_HUGETLB memory (reserved huge pages on the kernel side).
        var r = Replay("access-domain-destroy-hugetlb", variant);
        // alloc, map, access, pin, refs (huge pages pass any count), destroy stdev (the unpin across the huge
        // page), unpin, close the access, unmap.
        Assert.Multiple(() => AllSucceed(r, from: "alloc_huge", until: "unmap"));
    }

    [Test]
    public void AccessPin([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("access-pin", variant);
        Assert.Multiple(() =>
        {
            AllSucceed(r, from: "create_access");
            // A device added on the IOAS joins the automatic HWPT the fixture's devices use.
            ulong hwpt = Number(r[LastDevice(variant)], "mock_domain.out_hwpt_id");
            foreach (int n in new[] { 1, 2, 3, 8, 15 })
                FieldIs(r[$"mock_domain_{n}"], "mock_domain.out_hwpt_id", hwpt);
        });
    }

    [Test]
    public void AccessPinUnmap([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("access-pin-unmap", variant);
        Succeeds(r["create_access"]);
        Succeeds(r["map"]);
        Succeeds(r["access_pages"]);
        Succeeds(r["unmap_notifies"]);                 // the unmap calls the access's unmap op
        Fails(r["destroy_pages_gone"], Errno.ENOENT);  // the kernel removed the item for us
        Succeeds(r["refs_unpinned"]);
        Succeeds(r["destroy_access"]);
    }

    [TestCase("access-rw", "map_auto"), TestCase("access-rw-unaligned", "map")]
    public void AccessRw(string @case, string map)
    {
        foreach (string variant in IoasVariant.All)
        {
            var r = Replay(@case, variant);
            Assert.Multiple(() =>
            {
                Succeeds(r["create_access"]);
                FieldIs(r[map], "iova", @case == "access-rw" ? Base : Base + MockPage);
                AllSucceed(r, from: map);
                // After each write through the access the user memory behind the IOVA ("fast_write_N_memory")
                // holds the bytes the write took from the user buffer (the write step before it).
                WriteStep? written = null;
                int rw = 0;
                foreach ((TraceStep step, StepResult result) in r.Steps(from: map))
                {
                    if (step is WriteStep { Buffer: "t" } write)
                        written = write;
                    else if (step.Label is { } label && label.EndsWith("_memory", StringComparison.Ordinal))
                    {
                        Assert.That(result.Hex, Is.EqualTo(Convert.ToHexStringLower(written!.Data)).IgnoreCase, () => $"{variant} {label}");
                        rw++;
                    }
                }
                Assert.That(rw, Is.EqualTo(2 * 75), $"{variant}: writes checked");
            });
        }
    }

    /// <summary>The step of the last MOCK_DOMAIN (the selftest's self->stdev_id, hwpt_id, device_id).</summary>
    private static string LastDevice(string variant) => $"mock_domain{IoasVariant.Devices(variant) - 1}";

    private ReplayResults Replay(string @case, string variant)
    {
        var r = Replay(TraceFiles.Load($"mockdomain/ioas-{@case}-{variant}"));
        CheckFixture(r, variant);
        return r;
    }

    // The set-up and teardown of every variant trace.
    private static void CheckFixture(ReplayResults r, string variant)
    {
        Assert.Multiple(() =>
        {
            Succeeds(r["ioas"]);
            Succeeds(r["memory_limit"]);
            for (int k = 0; k < IoasVariant.Devices(variant); k++)
                Succeeds(r[$"mock_domain{k}"]);
            if (IoasVariant.HasPasidDevice(variant) && Kernel.AtLeast(7, 3))
                Succeeds(r["pasid_device"]);                     // 7.3's MOCK_FLAGS_DEVICE_PASID
            else if (IoasVariant.HasPasidDevice(variant))
                Fails(r["pasid_device"], Errno.EINVAL);          // no MOCK_FLAGS_DEVICE_PASID in 6.12
            AllSucceed(r, from: "teardown_memory_limit"); // the last: MD_CHECK_REFS, refs 0
        });
    }
}
