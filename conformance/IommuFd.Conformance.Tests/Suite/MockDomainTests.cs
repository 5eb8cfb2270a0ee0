using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 selftests' mock-domain cases: the <c>mock_domain</c> variant of the
/// <c>iommufd_ioas</c> fixture (one mock device attached to the IOAS through an automatic HWPT) and the
/// <c>iommufd_mock_domain</c> fixture's basic, replace and alloc_hwpt cases, from the traces in
/// conformance/traces/mockdomain (MockDomainTraces).</summary>
public sealed class MockDomainTests(BackendKind backend) : MockDomainFixture(backend)
{
    private const ulong Page = TestEnv.PageSize, Base = TestEnv.BaseIova;
    private const ulong ApertureLast = (1UL << 31) - 1;

    [Test]
    public void IoasDestroyIsBusyWhileADeviceUsesIt()
    {
        var r = Replay("mockdomain/ioas-destroy");
        Assert.Multiple(() =>
        {
            Succeeds(r["mock_domain"]);
            // The selftest object's ID is reserved first, the device's is published during bind, the
            // automatic HWPT's comes last: the xarray's lowest free IDs.
            FieldIs(r["mock_domain"], "mock_domain.out_stdev_id", 2);
            FieldIs(r["mock_domain"], "mock_domain.out_idev_id", 3);
            FieldIs(r["mock_domain"], "mock_domain.out_hwpt_id", 4);
            Fails(r["ioas_busy"], Errno.EBUSY);  // IOAS held by the HWPT
            Fails(r["hwpt_busy"], Errno.EBUSY);  // HWPT held by the device
            Fails(r["idev_busy"], Errno.EBUSY);  // device held by the selftest object
            Succeeds(r["map"]);
            Fails(r["ioas_busy_with_area"], Errno.EBUSY);
            Succeeds(r["stdev"]);       // destroying the selftest object detaches and unbinds
            Fails(r["hwpt_gone"], Errno.ENOENT);  // the automatic HWPT went with its last device
            Fails(r["idev_gone"], Errno.ENOENT);
            Succeeds(r["ioas_free"]);
        });
    }

    [Test]
    public void HwptAttach()
    {
        var r = Replay("mockdomain/hwpt-attach");
        Assert.Multiple(() =>
        {
            Succeeds(r["first"]);
            Succeeds(r["on_hwpt"]);                                           // attach directly to the HWPT
            FieldIs(r["on_hwpt"], "mock_domain.out_hwpt_id", Number(r["first"], "mock_domain.out_hwpt_id"));
            Fails(r["on_stdev"], Errno.EINVAL);                               // a selftest object is no page table
            Fails(r["on_idev"], Errno.EINVAL);                                // nor is a device
            Fails(r["on_missing"], Errno.ENOENT);
            if (Kernel.AtLeast(7, 3))
                Succeeds(r["bad_flags"]);                                     // 1 << 2 is MOCK_FLAGS_DEVICE_PASID
            else
                Fails(r["bad_flags"], Errno.EINVAL);                          // unknown mock device flags
            Succeeds(r["no_dirty"]);                                          // NO_DIRTY reuses the automatic HWPT
            FieldIs(r["no_dirty"], "mock_domain.out_hwpt_id", Number(r["first"], "mock_domain.out_hwpt_id"));
            if (Kernel.AtLeast(7, 3))
            {
                Fails(r["huge_iova"], Errno.EINVAL);                          // MOCK_FLAGS_DEVICE_HUGE_IOVA is gone
            }
            else
            {
                Succeeds(r["huge_iova"]);
                FieldIs(r["huge_iova"], "mock_domain.out_hwpt_id", Number(r["first"], "mock_domain.out_hwpt_id"));
            }
            Succeeds(r["second_ioas"]);                                       // another IOAS gets its own HWPT
            Assert.That(Number(r["second_ioas"], "mock_domain.out_hwpt_id"), Is.Not.EqualTo(Number(r["first"], "mock_domain.out_hwpt_id")));
            Succeeds(r["destroy_second"]);
            Succeeds(r["destroy_ioas2"]);
            Succeeds(r["after_frees"]);
        });
    }

    [Test]
    public void IovaRangesReportTheAperture()
    {
        var r = Replay("mockdomain/iova-ranges");
        Assert.Multiple(() =>
        {
            Succeeds(r["mock_domain"]);
            Succeeds(r["ranges"]);
            FieldIs(r["ranges"], "num_iovas", 2);
            FieldIs(r["ranges"], "out_iova_alignment", TestEnv.MockPageSize);
            Assert.That(Words(r["ranges_bytes"])[..4], Is.EqualTo(new[] { Base, Base + 16 * Page - 1, Base + 17 * Page, ApertureLast }));
            Succeeds(r["allow_inside"]);         // allowed ranges inside the aperture
            Fails(r["allow_outside"], Errno.EADDRINUSE);  // outside it: they hit the domain's reservation
            Succeeds(r["reserve_outside"]);
            Succeeds(r["detach"]);               // detaching drops the aperture and the alignment
            FieldIs(r["ranges_after"], "num_iovas", 3);
            FieldIs(r["ranges_after"], "out_iova_alignment", 1);
        });
    }

    [Test]
    public void AttachNeedsTheIoasToFitTheDomain()
    {
        var r = Replay("mockdomain/attach-constraints");
        Assert.Multiple(() =>
        {
            Succeeds(r["map_below_aperture"]);
            Fails(r["area_outside"], Errno.EADDRINUSE);  // an area below the aperture
            Fails(r["allowed_outside"], Errno.EADDRINUSE);  // an allowed range outside the aperture
            Succeeds(r["map_100_bytes"]);
            Fails(r["misaligned_area"], Errno.EADDRINUSE);  // an area not aligned to the 2 KiB IO page
            Succeeds(r["map_unmapped_va"]);  // without a domain MAP does not touch user_va
            Fails(r["unpinnable_area"], Errno.EFAULT);  // attaching pins every area
            Succeeds(r["now_fine"]);
            Succeeds(r["pinned_at_attach"]);  // pinned at attach
            FieldIs(r["alignment"], "out_iova_alignment", TestEnv.MockPageSize);
            Fails(r["huge_pages_off_with_area"], Errno.EINVAL);  // HUGE_PAGES off with a domain and areas
            Succeeds(r["detach"]);
            Succeeds(r["unpinned_at_detach"]);  // unpinned at detach
        });
    }

    [Test]
    public void MapWithADomainPinsAndChecks()
    {
        var r = Replay("mockdomain/map-with-domain");
        Assert.Multiple(() =>
        {
            Succeeds(r["refs_before"]);
            Succeeds(r["map_auto"]);
            FieldIs(r["map_auto"], "iova", Base);  // first fit inside the aperture
            Fails(r["map_unmapped_va"], Errno.EFAULT);  // pinned at MAP time
            Fails(r["map_outside_aperture"], Errno.EINVAL);  // below the aperture: reserved
            Succeeds(r["map_half_page"]);         // 2 KiB granularity
            Succeeds(r["map_second_half"]);
            Fails(r["map_odd_va"], Errno.EINVAL);
            Fails(r["map_odd_length"], Errno.EINVAL);
            Succeeds(r["check_map"]);             // MD_CHECK_MAP
            Fails(r["check_map_wrong_va"], Errno.EINVAL);
            Succeeds(r["check_map_half"]);
            Succeeds(r["check_map_second_half"]);
            Fails(r["check_map_nothing"], Errno.EINVAL);  // nothing mapped there
            Succeeds(r["check_map_empty"]);
            Fails(r["check_map_odd_iova"], Errno.EINVAL);
            Fails(r["check_map_odd_length"], Errno.EINVAL);
            Fails(r["check_map_ioas"], Errno.ENOENT);  // an IOAS is no HWPT
            Fails(r["check_map_unmapped_va"], Errno.EFAULT);
            Succeeds(r["refs_first_page"]);       // one pin per MAP (pages object) of the page
            Fails(r["refs_first_page_wrong"], Errno.EIO);
            Succeeds(r["refs_rest"]);
            Fails(r["refs_odd_va"], Errno.EINVAL);
            Fails(r["refs_odd_length"], Errno.EINVAL);
            Fails(r["refs_unmapped"], Errno.EFAULT);
            Succeeds(r["refs_five"]);
            Succeeds(r["refs_rest_one"]);
            Succeeds(r["refs_copy_shares"]);      // COPY shares the pages: no new pin
            Succeeds(r["check_map_copy"]);
            Succeeds(r["refs_six"]);
            Succeeds(r["refs_copy_keeps"]);
            Succeeds(r["refs_rest_zero"]);
            Succeeds(r["refs_none"]);
        });
    }

    [Test]
    public void ReplaceAndAllocHwpt()
    {
        var r = Replay("mockdomain/replace");
        Assert.Multiple(() =>
        {
            Succeeds(r["to_ioas2"]);
            FieldIs(r["to_ioas2"], "mock_domain_replace.pt_id", 6);  // a new automatic HWPT on ioas2 (IDs 1-5 in use)
            Fails(r["to_freed_hwpt"], Errno.ENOENT);        // the old automatic HWPT went with its device
            Succeeds(r["to_ioas2_again"]);
            FieldIs(r["to_ioas2_again"], "mock_domain_replace.pt_id", 6);
            Succeeds(r["back"]);
            FieldIs(r["back"], "mock_domain_replace.pt_id", 4);  // lowest free ID again
            Succeeds(r["destroy_ioas2"]);
            Fails(r["idev_as_stdev"], Errno.ENOENT);
            Fails(r["to_idev"], Errno.EINVAL);
            Fails(r["to_missing"], Errno.ENOENT);
            Fails(r["bad_flags"], Errno.EOPNOTSUPP);
            Succeeds(r["hwpt0"]);
            Succeeds(r["hwpt1_nest_parent"]);
            Succeeds(r["to_hwpt0"]);
            Fails(r["hwpt0_busy"], Errno.EBUSY);
            Succeeds(r["to_hwpt1"]);
            Fails(r["hwpt1_busy"], Errno.EBUSY);
            Succeeds(r["to_ioas"]);
            Succeeds(r["hwpt1_free"]);
            Succeeds(r["on_hwpt0"]);
            Succeeds(r["stdev2"]);
            Succeeds(r["hwpt0_free"]);
            Succeeds(r["refs"]);
        });
    }

    [Test]
    public void HwptAllocErrors()
    {
        var r = Replay("mockdomain/hwpt-alloc");
        Assert.Multiple(() =>
        {
            Fails(r["ioas_as_device"], Errno.ENOENT);  // dev_id is no device
            Fails(r["missing_pt"], Errno.EINVAL);  // pt_id names nothing: EINVAL, not ENOENT
            Fails(r["stdev_as_pt"], Errno.EINVAL);
            // driver data for a paging domain: 7.3 takes IOMMU_HWPT_DATA_SELFTEST's pagetable_type (0, the
            // usual domain) (mock_domain_alloc_paging_flags, selftest.c:508)
            if (Kernel.AtLeast(7, 3))
                Succeeds(r["driver_data"]);
            else
                Fails(r["driver_data"], Errno.EOPNOTSUPP);
            // FAULT_ID_VALID on a paging HWPT: 7.3 allows it and looks up fault queue 0
            // (iommufd_hwpt_alloc, hw_pagetable.c:424)
            Fails(r["fault_id_flag"], Kernel.AtLeast(7, 3) ? Errno.ENOENT : Errno.EOPNOTSUPP);
            Succeeds(r["dirty"]);            // DIRTY_TRACKING on a capable device
            Succeeds(r["no_dirty_device"]);
            Fails(r["dirty_on_no_dirty"], Errno.EOPNOTSUPP);
            Fails(r["no_dirty_on_dirty_hwpt"], Errno.EINVAL);  // a dirty-tracking domain refuses a NO_DIRTY device
            Fails(r["nested_on_auto"], Errno.EINVAL);  // nested on an automatic HWPT
            Succeeds(r["nest_parent"]);
            Fails(r["nested_on_non_parent"], Errno.EINVAL);  // nested on a HWPT without NEST_PARENT
            Fails(r["nested_flags"], Errno.EOPNOTSUPP);
            Fails(r["nested_no_data"], Errno.EOPNOTSUPP);
            Fails(r["nested_wrong_type"], Errno.EOPNOTSUPP);
            Succeeds(r["map_three_domains"]);
            Succeeds(r["pinned_once"]);      // three domains in the IOAS, the page pinned once
            Succeeds(r["check_map_user_hwpt"]);
        });
    }

    [Test]
    public void GetHwInfoOfAMockDevice()
    {
        var r = Replay("mockdomain/get-hw-info");
        Assert.Multiple(() =>
        {
            Succeeds(r["zero_size"]);
            FieldIs(r["zero_size"], "data_len", 8);
            FieldIs(r["zero_size"], "out_data_type", 0xfeedbeef);  // IOMMU_HW_INFO_TYPE_SELFTEST
            // IOMMU_HW_CAP_DIRTY_TRACKING; 7.3 adds PCI_ATS_NOT_SUPPORTED (8) (iommufd_get_hw_info, device.c:1711)
            FieldIs(r["zero_size"], "out_capabilities", Kernel.AtLeast(7, 3) ? 9UL : 1UL);
            FieldIs(r["zero_size"], "out_max_pasid_log2", 0);
            Succeeds(r["exact"]);
            Assert.That(Words(r["exact_bytes"]), Is.EqualTo(new[] { 0xdeadbeef00000000UL, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue }));
            Succeeds(r["larger"]);
            Assert.That(Words(r["larger_bytes"]), Is.EqualTo(new[] { 0xdeadbeef00000000UL, 0UL, ulong.MaxValue, ulong.MaxValue }));
            Succeeds(r["smaller"]);
            FieldIs(r["smaller"], "data_len", 8);
            Assert.That(Words(r["smaller_bytes"])[0], Is.EqualTo(0xffffffff00000000UL));
            FieldIs(r["no_dirty_caps"], "out_capabilities", Kernel.AtLeast(7, 3) ? 8UL : 0UL);
            Fails(r["stdev_as_device"], Errno.ENOENT);
            Fails(r["bad_buffer"], Errno.EFAULT);
        });
    }

    [Test]
    public void CloseReleasesDevicesDomainsAndPins()
    {
        var r = Replay("mockdomain/close-cleanup");
        Assert.Multiple(() =>
        {
            Succeeds(r["mock_domain"]);
            Succeeds(r["mock_domain_fd0"]);
            Succeeds(r["refs_two_contexts"]);  // one pin per context's MAP
            Succeeds(r["close"]);
            Succeeds(r["refs_after_close"]);  // the closed context's pin is gone
            Succeeds(r["refs_second_page"]);
            FieldIs(r["ioas_fd2"], "out_ioas_id", 1);
        });
    }
}
