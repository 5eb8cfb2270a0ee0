using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Tests.Support;
using IommuFd.Conformance.Traces;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 selftest fixture <c>iommufd_ioas</c> under its mock-domain variants
/// (<see cref="IoasVariant"/>): every case runs once per variant, from the trace
/// mockdomain/ioas-&lt;case&gt;-&lt;variant&gt;; <c>b</c> is the first step of the case's body. The
/// selftest's own expectations, with its branches on self->stdev_id (base_iova is MOCK_APERTURE_START).</summary>
public sealed class IoasMockVariantTests(string backend) : MockDomainFixture(backend)
{
    private const ulong Page = TestEnv.PageSize, Base = TestEnv.BaseIova, MockPage = TestEnv.MockPageSize;

    public static IEnumerable<string> Variants() => IoasVariant.All;

    [Test]
    public void AutoDestroy([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("auto-destroy", variant, out _);
        // IDs: IOAS 1, then per device the selftest object, the device and (first time) the automatic HWPT,
        // which the second device of two_mock_domain shares.
        FieldIs(r[IoasVariant.FirstDeviceStep], "mock_domain.out_stdev_id", 2);
        FieldIs(r[IoasVariant.FirstDeviceStep], "mock_domain.out_idev_id", 3);
        FieldIs(r[IoasVariant.FirstDeviceStep], "mock_domain.out_hwpt_id", 4);
        if (variant == IoasVariant.TwoMockDomain)
        {
            FieldIs(r[IoasVariant.FirstDeviceStep + 1], "mock_domain.out_stdev_id", 5);
            FieldIs(r[IoasVariant.FirstDeviceStep + 1], "mock_domain.out_idev_id", 6);
            FieldIs(r[IoasVariant.FirstDeviceStep + 1], "mock_domain.out_hwpt_id", 4);
        }
    }

    [Test]
    public void Destroy([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("destroy", variant, out int b);
        Fails(r[b], Errno.EBUSY); // a device's HWPT holds the IOAS
    }

    [Test]
    public void AreaDestroy([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("area-destroy", variant, out int b);
        Succeeds(r[b]);
        Fails(r[b + 1], Errno.EBUSY);
    }

    [Test]
    public void AreaAutoDestroy([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("area-auto-destroy", variant, out int b);
        Assert.Multiple(() =>
        {
            for (int k = 0; k < 10; k++)
                Succeeds(r[b + k]); // the teardown finds every page unpinned after the close
        });
    }

    [Test]
    public void HwptAttach([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("hwpt-attach", variant, out int b);
        Succeeds(r[b]); // a device attached directly to the (automatic) HWPT
        FieldIs(r[b], "mock_domain.out_hwpt_id", Number(r[IoasVariant.LastDeviceStep(variant)], "mock_domain.out_hwpt_id"));
    }

    [Test]
    public void GetHwInfo([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("get-hw-info", variant, out int b);
        Assert.Multiple(() =>
        {
            Succeeds(r[b + 1]);                                // a zero-size buffer
            FieldIs(r[b + 1], "data_len", 8);
            FieldIs(r[b + 1], "out_data_type", 0xfeedbeef);    // IOMMU_HW_INFO_TYPE_SELFTEST
            FieldIs(r[b + 1], "out_max_pasid_log2", 0);        // the fixture's device has no PASID
            Succeeds(r[b + 3]);
            Assert.That(Words(r[b + 4]), Is.EqualTo(new[] { 0xdeadbeef00000000UL, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue }));
            Succeeds(r[b + 6]);                                // the trailing bytes are zeroed
            Assert.That(Words(r[b + 7]), Is.EqualTo(new[] { 0xdeadbeef00000000UL, 0UL, ulong.MaxValue, ulong.MaxValue }));
            Succeeds(r[b + 9]);                                // the flags within the size are written
            FieldIs(r[b + 9], "data_len", 8);
            Assert.That(Words(r[b + 10])[0], Is.EqualTo(0xffffffff00000000UL));
        });
    }

    [Test]
    public void AllocHwptNested([ValueSource(nameof(Variants))] string variant)
    {
        // The device branch (tracegen.py alloc_hwpt_nested_body; NestedHwptTests checks each errno).
        var r = Replay("alloc-hwpt-nested", variant, out int b);
        Assert.Multiple(() =>
        {
            Succeeds(r[b + 6]);                  // the NEST_PARENT HWPT
            for (int k = 8; k <= 16; k++)
                Assert.That(r[b + k].Errno, Is.Not.Zero, () => $"bad nested allocation {r[b + k]}");
            Succeeds(r[b + 17]);                 // nested0 and nested1
            Succeeds(r[b + 19]);
            Fails(r[b + 35], Errno.EBUSY);       // the parent is held by its nested HWPTs
            Succeeds(r[b + 64]);                 // an invalidation
            Succeeds(r[b + 79]);                 // the fixture's (last) device onto nested0
            Succeeds(r[b + 85]);                 // another device attached to a nested HWPT
            Succeeds(r[b + 90]);                 // every HWPT freed in order
            Succeeds(r[b + 92]);
        });
    }

    [Test]
    public void Area([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("area", variant, out int b);
        Assert.Multiple(() =>
        {
            for (int k = 0; k < 10; k++)
                Fails(r[b + k], Errno.ENOENT);        // unmap of nothing
            for (int k = 10; k < 20; k++)
                Succeeds(r[b + k]);                    // fixed maps
            for (int k = 20; k < 30; k++)
            {
                Succeeds(r[b + k]);
                FieldIs(r[b + k], "length", Page);
            }
            Succeeds(r[b + 30]);
            Fails(r[b + 31], Errno.ENOENT);            // unmapping half an area does not split it
            Fails(r[b + 32], Errno.ENOENT);
            for (int k = 33; k < 38; k++)
                Fails(r[b + k], Errno.EEXIST);         // over-maps
            Succeeds(r[b + 38]);
            FieldIs(r[b + 38], "length", 2 * Page);
            Succeeds(r[b + 39]);
            FieldIs(r[b + 39], "length", 0);
        });
    }

    [Test]
    public void UnmapFullyContainedAreas([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("unmap-fully-contained-areas", variant, out int b);
        for (int k = 0; k < 4; k++)
            Succeeds(r[b + k]);
        Fails(r[b + 4], Errno.ENOENT);
        Fails(r[b + 5], Errno.ENOENT);
        Succeeds(r[b + 6]);
        FieldIs(r[b + 6], "length", 32 * Page);
    }

    [Test]
    public void AreaAutoIova([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("area-auto-iova", variant, out int b);
        Assert.Multiple(() =>
        {
            var simple = Enumerable.Range(b + 1, 10).Select(i => Number(r[i], "iova")).ToList();
            Assert.That(simple, Is.EqualTo(Enumerable.Range(0, 10).Select(k => Base + (ulong)k * Page)),
                        "first fit from the aperture's start");
            for (int k = 11; k <= 20; k++)
                Succeeds(r[b + k]);
            AutomaticMaps(r, b + 21, b + 31, 0, ulong.MaxValue);            // aligned
            Succeeds(r[b + 41]);                                             // ADD_RESERVED below the aperture
            AutomaticMaps(r, b + 42, b + 52, 0, ulong.MaxValue);            // avoiding it (trivially)
            for (int k = 42; k < 52; k++)
                Assert.That(Number(r[b + k], "iova") is > 4 * Page and < 104 * Page, Is.False);
            Fails(r[b + 63], Errno.EADDRINUSE);                              // allowed over the reservations
            Succeeds(r[b + 65]);
            AutomaticMaps(r, b + 66, b + 76, Base + Page, Base + 600 * Page - 1);
        });
    }

    // Ten automatic maps of 1..10 pages at first, their unmaps at unmaps: each aligned and inside [start, last].
    private static void AutomaticMaps(IReadOnlyList<StepResult> r, int first, int unmaps, ulong start, ulong last)
    {
        for (int k = 0; k < 10; k++)
        {
            ulong length = Page * (ulong)(k + 1);
            ulong iova = Number(r[first + k], "iova");
            Succeeds(r[first + k]);
            Assert.That(iova % Math.Min(length & (~length + 1), TestEnv.MaxIovaAlignment), Is.Zero, $"map of {length} bytes");
            Assert.That(iova, Is.InRange(Math.Max(start, Base), Math.Min(last, IoasVariant.ApertureLast) - length + 1));
            Succeeds(r[unmaps + k]);
        }
    }

    [Test]
    public void AreaAllowed([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("area-allowed", variant, out int b);
        Succeeds(r[b + 2]);
        Fails(r[b + 3], Errno.EADDRINUSE); // reserving inside an allowed range
        Succeeds(r[b + 5]);
        Succeeds(r[b + 6]);
        Fails(r[b + 8], Errno.EADDRINUSE); // allowing over a reserved range
    }

    [Test]
    public void CopyArea([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("copy-area", variant, out int b);
        Assert.Multiple(() =>
        {
            for (int k = 0; k < 6; k++)
                Succeeds(r[b + k]); // map, copy inside, new IOAS, copy between, MD_CHECK_MAP of both IOVAs
        });
    }

    [Test]
    public void IovaRanges([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("iova-ranges", variant, out int b);
        Assert.Multiple(() =>
        {
            Succeeds(r[b]);
            FieldIs(r[b], "num_iovas", 1);
            FieldIs(r[b], "out_iova_alignment", MockPage);
            Assert.That(Words(r[b + 1]), Is.EqualTo(new ulong[] { Base, IoasVariant.ApertureLast, 0, 0 }));
            Fails(r[b + 3], Errno.EMSGSIZE);
            FieldIs(r[b + 3], "num_iovas", 1);
            Assert.That(Words(r[b + 4]), Is.EqualTo(new ulong[] { 0, 0, 0, 0 }));
            Succeeds(r[b + 5]);                       // reserved below the aperture: no new range
            Succeeds(r[b + 6]);
            FieldIs(r[b + 6], "num_iovas", 1);
            Assert.That(Words(r[b + 7]), Is.EqualTo(new ulong[] { Base, IoasVariant.ApertureLast, 0, 0 }));
            Succeeds(r[b + 9]);                       // room for one is enough
            FieldIs(r[b + 9], "num_iovas", 1);
            Assert.That(Words(r[b + 10]), Is.EqualTo(new ulong[] { Base, IoasVariant.ApertureLast, 0, 0 }));
        });
    }

    [Test]
    public void OptionHugePages([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("option-huge-pages", variant, out int b);
        Succeeds(r[b]);
        FieldIs(r[b], "val64", 1);
        Succeeds(r[b + 1]);                           // off with domains but no areas
        FieldIs(r[b + 2], "val64", 0);
        Fails(r[b + 3], Errno.EINVAL);
        Succeeds(r[b + 4]);
        FieldIs(r[b + 5], "val64", 1);
    }

    [Test]
    public void CopySweep([ValueSource(nameof(Variants))] string variant)
    {
        const ulong last = Base + TestEnv.BufferSize - 1;
        Trace trace = TraceFiles.Load($"mockdomain/ioas-copy-sweep-{variant}");
        var r = Replay(trace);
        int b = CheckFixture(r, variant);
        Succeeds(r[b + 1]);
        int copies = 0;
        Assert.Multiple(() =>
        {
            for (int i = b + 2; i < trace.Steps.Count - IoasVariant.TeardownSteps - 1; i++)
            {
                if (trace.Steps[i] is not IoctlStep { Command: "IOMMU_IOAS_COPY" } copy)
                {
                    Succeeds(r[i]); // the unmap after a good copy
                    continue;
                }
                copies++;
                ulong src = copy.Arg!["src_iova"]!.GetValue<ulong>();
                if (src < Base || src + MockPage - 1 > last)
                    Fails(r[i], Errno.ENOENT);
                else
                    Succeeds(r[i]);
            }
        });
        Assert.That(copies, Is.EqualTo(137));
        Succeeds(r[^(IoasVariant.TeardownSteps + 1)]);
    }

    [Test]
    public void IoasIovaAlloc([ValueSource(nameof(Variants))] string variant)
    {
        Trace trace = IoasVariant.IoasIovaAlloc(variant);
        var r = Replay(trace);
        int b = CheckFixture(r, variant);
        int maps = 0;
        Assert.Multiple(() =>
        {
            for (int i = b; i < trace.Steps.Count - IoasVariant.TeardownSteps; i++)
            {
                if (trace.Steps[i] is not IoctlStep { Command: "IOMMU_IOAS_MAP" } map)
                {
                    Succeeds(r[i]);
                    continue;
                }
                maps++;
                ulong length = map.Arg!["length"]!.GetValue<ulong>();
                if (length % MockPage == 0)
                    Succeeds(r[i]);
                else
                    Fails(r[i], Errno.EINVAL); // with a domain a length must be whole 2 KiB IO pages
            }
        });
        Assert.That(maps, Is.EqualTo(2 * (int)Page - 1));
    }

    [Test]
    public void AccessDomainDestroy([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("access-domain-destroy", variant, out int b);
        Assert.Multiple(() =>
        {
            for (int k = 0; k < 5; k++)
                Succeeds(r[b + k]);  // map, access, pin, refs 1 (domains and the pin share one), destroy stdev
            Succeeds(r[b + 5]);      // the pinned page keeps its pin
            Succeeds(r[b + 6]);      // the others: unpinned, unless two_mock_domain's first domain holds them
            Succeeds(r[b + 7]);
            Succeeds(r[b + 8]);
        });
    }

    [Test]
    public void AccessDomainDestroyHugetlb([ValueSource(nameof(Variants))] string variant)
    {
        // 6.12's buffer: 4 MiB of MAP_HUGETLB memory (reserved huge pages on the kernel side).
        var r = Replay("access-domain-destroy-hugetlb", variant, out int b);
        Assert.Multiple(() =>
        {
            // alloc, map, access, pin, refs (huge pages pass any count), destroy stdev (the unpin across
            // the huge page), unpin, close the access, unmap.
            for (int k = 0; k < 9; k++)
                Succeeds(r[b + k]);
        });
    }

    [Test]
    public void AccessPin([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("access-pin", variant, out int b);
        Assert.Multiple(() =>
        {
            for (int i = b; i < r.Count - IoasVariant.TeardownSteps; i++)
                Succeeds(r[i]);
            // A device added on the IOAS joins the automatic HWPT the fixture's devices use.
            ulong hwpt = Number(r[IoasVariant.LastDeviceStep(variant)], "mock_domain.out_hwpt_id");
            for (int i = b; i < r.Count; i++)
                if (r[i].Arg?["mock_domain"] is not null && Number(r[i], "op") == 2)
                    FieldIs(r[i], "mock_domain.out_hwpt_id", hwpt);
        });
    }

    [Test]
    public void AccessPinUnmap([ValueSource(nameof(Variants))] string variant)
    {
        var r = Replay("access-pin-unmap", variant, out int b);
        Succeeds(r[b]);
        Succeeds(r[b + 1]);
        Succeeds(r[b + 2]);
        Succeeds(r[b + 3]);                 // the unmap calls the access's unmap op
        Fails(r[b + 4], Errno.ENOENT);      // the kernel removed the item for us
        Succeeds(r[b + 5]);
        Succeeds(r[b + 6]);
    }

    [TestCase("access-rw"), TestCase("access-rw-unaligned")]
    public void AccessRw(string @case)
    {
        foreach (string variant in IoasVariant.All)
        {
            Trace trace = TraceFiles.Load($"mockdomain/ioas-{@case}-{variant}");
            var r = Replay(trace);
            int b = CheckFixture(r, variant);
            Assert.Multiple(() =>
            {
                Succeeds(r[b + 6]);
                FieldIs(r[b + 7], "iova", @case == "access-rw" ? Base : Base + MockPage);
                int rw = 0;
                for (int i = b + 7; i < r.Count; i++)
                {
                    Assert.That(r[i].Errno, Is.EqualTo(0), () => $"{variant} step {i}: {r[i]}");
                    // After each write through the access the user memory behind the IOVA holds the
                    // bytes the write took from the user buffer (the write step just before it).
                    if (trace.Steps[i] is IoctlStep && trace.Steps[i - 1] is WriteStep { Buffer: "t" } written)
                    {
                        Assert.That(r[i + 1].Hex, Is.EqualTo(Convert.ToHexStringLower(written.Data)).IgnoreCase, () => $"{variant} read-back after step {i}");
                        rw++;
                    }
                }
                Assert.That(rw, Is.EqualTo(2 * 75), $"{variant}: writes checked");
            });
        }
    }

    private IReadOnlyList<StepResult> Replay(string @case, string variant, out int bodyStart)
    {
        var r = Replay(TraceFiles.Load($"mockdomain/ioas-{@case}-{variant}"));
        bodyStart = CheckFixture(r, variant);
        return r;
    }

    // The set-up and teardown of every variant trace; returns where the body starts.
    private static int CheckFixture(IReadOnlyList<StepResult> r, string variant)
    {
        Assert.Multiple(() =>
        {
            Succeeds(r[IoasVariant.IoasStep]);
            Succeeds(r[IoasVariant.MemoryLimitStep]);
            for (int k = 0; k < IoasVariant.Devices(variant); k++)
                Succeeds(r[IoasVariant.FirstDeviceStep + k]);
            if (IoasVariant.HasPasidDevice(variant) && Kernel.AtLeast(7, 3))
                Succeeds(r[IoasVariant.FirstDeviceStep + 1]);            // 7.3's MOCK_FLAGS_DEVICE_PASID
            else if (IoasVariant.HasPasidDevice(variant))
                Fails(r[IoasVariant.FirstDeviceStep + 1], Errno.EINVAL); // no MOCK_FLAGS_DEVICE_PASID in 6.12
            for (int k = 1; k <= IoasVariant.TeardownSteps; k++)
                Succeeds(r[^k]);                                         // the last: MD_CHECK_REFS, refs 0
        });
        return IoasVariant.BodyStart(variant);
    }
}
