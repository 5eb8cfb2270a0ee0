using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Tests.Support;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 selftests' mock-domain cases: the <c>mock_domain</c> variant of the
/// <c>iommufd_ioas</c> fixture (one mock device attached to the IOAS through an automatic HWPT) and the
/// <c>iommufd_mock_domain</c> fixture's basic, replace and alloc_hwpt cases, from the traces in
/// conformance/traces/mockdomain (step numbers are printed by conformance/tools/tracegen.py).</summary>
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
            Succeeds(r[18]);
            // The selftest object's ID is reserved first, the device's is published during bind, the
            // automatic HWPT's comes last: the xarray's lowest free IDs.
            FieldIs(r[18], "mock_domain.out_stdev_id", 2);
            FieldIs(r[18], "mock_domain.out_idev_id", 3);
            FieldIs(r[18], "mock_domain.out_hwpt_id", 4);
            Fails(r[19], Errno.EBUSY);  // IOAS held by the HWPT
            Fails(r[20], Errno.EBUSY);  // HWPT held by the device
            Fails(r[21], Errno.EBUSY);  // device held by the selftest object
            Succeeds(r[22]);
            Fails(r[23], Errno.EBUSY);
            Succeeds(r[24]);            // destroying the selftest object detaches and unbinds
            Fails(r[25], Errno.ENOENT); // the automatic HWPT went with its last device
            Fails(r[26], Errno.ENOENT);
            Succeeds(r[27]);
        });
    }

    [Test]
    public void HwptAttach()
    {
        var r = Replay("mockdomain/hwpt-attach");
        Assert.Multiple(() =>
        {
            Succeeds(r[3]);
            Succeeds(r[4]);                                                   // attach directly to the HWPT
            FieldIs(r[4], "mock_domain.out_hwpt_id", Number(r[3], "mock_domain.out_hwpt_id"));
            Fails(r[5], Errno.EINVAL);                                        // a selftest object is no page table
            Fails(r[6], Errno.EINVAL);                                        // nor is a device
            Fails(r[7], Errno.ENOENT);
            if (Kernel.AtLeast(7, 3))
                Succeeds(r[8]);                                               // 1 << 2 is MOCK_FLAGS_DEVICE_PASID
            else
                Fails(r[8], Errno.EINVAL);                                    // unknown mock device flags
            Succeeds(r[9]);                                                   // NO_DIRTY reuses the automatic HWPT
            FieldIs(r[9], "mock_domain.out_hwpt_id", Number(r[3], "mock_domain.out_hwpt_id"));
            if (Kernel.AtLeast(7, 3))
            {
                Fails(r[10], Errno.EINVAL);                                   // MOCK_FLAGS_DEVICE_HUGE_IOVA is gone
            }
            else
            {
                Succeeds(r[10]);
                FieldIs(r[10], "mock_domain.out_hwpt_id", Number(r[3], "mock_domain.out_hwpt_id"));
            }
            Succeeds(r[12]);                                                  // another IOAS gets its own HWPT
            Assert.That(Number(r[12], "mock_domain.out_hwpt_id"), Is.Not.EqualTo(Number(r[3], "mock_domain.out_hwpt_id")));
            Succeeds(r[13]);
            Succeeds(r[14]);
            Succeeds(r[15]);
        });
    }

    [Test]
    public void IovaRangesReportTheAperture()
    {
        var r = Replay("mockdomain/iova-ranges");
        Assert.Multiple(() =>
        {
            Succeeds(r[5]);
            Succeeds(r[6]);
            FieldIs(r[6], "num_iovas", 2);
            FieldIs(r[6], "out_iova_alignment", TestEnv.MockPageSize);
            Assert.That(Words(r[7])[..4], Is.EqualTo(new[] { Base, Base + 16 * Page - 1, Base + 17 * Page, ApertureLast }));
            Succeeds(r[9]);                      // allowed ranges inside the aperture
            Fails(r[11], Errno.EADDRINUSE);      // outside it: they hit the domain's reservation
            Succeeds(r[12]);
            Succeeds(r[13]);                     // detaching drops the aperture and the alignment
            FieldIs(r[15], "num_iovas", 3);
            FieldIs(r[15], "out_iova_alignment", 1);
        });
    }

    [Test]
    public void AttachNeedsTheIoasToFitTheDomain()
    {
        var r = Replay("mockdomain/attach-constraints");
        Assert.Multiple(() =>
        {
            Succeeds(r[5]);
            Fails(r[6], Errno.EADDRINUSE);   // an area below the aperture
            Fails(r[10], Errno.EADDRINUSE);  // an allowed range outside the aperture
            Succeeds(r[12]);
            Fails(r[13], Errno.EADDRINUSE);  // an area not aligned to the 2 KiB IO page
            Succeeds(r[15]);                 // without a domain MAP does not touch user_va
            Fails(r[16], Errno.EFAULT);      // attaching pins every area
            Succeeds(r[19]);
            Succeeds(r[20]);                 // pinned at attach
            FieldIs(r[21], "out_iova_alignment", TestEnv.MockPageSize);
            Fails(r[22], Errno.EINVAL);      // HUGE_PAGES off with a domain and areas
            Succeeds(r[23]);
            Succeeds(r[24]);                 // unpinned at detach
        });
    }

    [Test]
    public void MapWithADomainPinsAndChecks()
    {
        var r = Replay("mockdomain/map-with-domain");
        Assert.Multiple(() =>
        {
            Succeeds(r[7]);
            Succeeds(r[8]);
            FieldIs(r[8], "iova", Base);         // first fit inside the aperture
            Fails(r[9], Errno.EFAULT);            // pinned at MAP time
            Fails(r[10], Errno.EINVAL);           // below the aperture: reserved
            Succeeds(r[11]);                      // 2 KiB granularity
            Succeeds(r[12]);
            Fails(r[13], Errno.EINVAL);
            Fails(r[14], Errno.EINVAL);
            Succeeds(r[16]);                      // MD_CHECK_MAP
            Fails(r[17], Errno.EINVAL);
            Succeeds(r[18]);
            Succeeds(r[19]);
            Fails(r[21], Errno.EINVAL);           // nothing mapped there
            Succeeds(r[22]);
            Fails(r[23], Errno.EINVAL);
            Fails(r[24], Errno.EINVAL);
            Fails(r[25], Errno.ENOENT);           // an IOAS is no HWPT
            Fails(r[26], Errno.EFAULT);
            Succeeds(r[27]);                      // one pin per MAP (pages object) of the page
            Fails(r[28], Errno.EIO);
            Succeeds(r[29]);
            Fails(r[30], Errno.EINVAL);
            Fails(r[31], Errno.EINVAL);
            Fails(r[32], Errno.EFAULT);
            Succeeds(r[34]);
            Succeeds(r[35]);
            Succeeds(r[37]);                      // COPY shares the pages: no new pin
            Succeeds(r[38]);
            Succeeds(r[40]);
            Succeeds(r[42]);
            Succeeds(r[44]);
            Succeeds(r[46]);
        });
    }

    [Test]
    public void ReplaceAndAllocHwpt()
    {
        var r = Replay("mockdomain/replace");
        Assert.Multiple(() =>
        {
            Succeeds(r[5]);
            FieldIs(r[5], "mock_domain_replace.pt_id", 6); // a new automatic HWPT on ioas2 (IDs 1-5 in use)
            Fails(r[6], Errno.ENOENT);                      // the old automatic HWPT went with its device
            Succeeds(r[7]);
            FieldIs(r[7], "mock_domain_replace.pt_id", 6);
            Succeeds(r[8]);
            FieldIs(r[8], "mock_domain_replace.pt_id", 4);  // lowest free ID again
            Succeeds(r[9]);
            Fails(r[10], Errno.ENOENT);
            Fails(r[11], Errno.EINVAL);
            Fails(r[12], Errno.ENOENT);
            Fails(r[13], Errno.EOPNOTSUPP);
            Succeeds(r[14]);
            Succeeds(r[15]);
            Succeeds(r[16]);
            Fails(r[17], Errno.EBUSY);
            Succeeds(r[18]);
            Fails(r[19], Errno.EBUSY);
            Succeeds(r[20]);
            Succeeds(r[21]);
            Succeeds(r[22]);
            Succeeds(r[23]);
            Succeeds(r[24]);
            Succeeds(r[26]);
        });
    }

    [Test]
    public void HwptAllocErrors()
    {
        var r = Replay("mockdomain/hwpt-alloc");
        Assert.Multiple(() =>
        {
            Fails(r[6], Errno.ENOENT);       // dev_id is no device
            Fails(r[7], Errno.EINVAL);       // pt_id names nothing: EINVAL, not ENOENT
            Fails(r[8], Errno.EINVAL);
            Fails(r[9], Errno.EOPNOTSUPP);   // driver data for a paging domain
            Fails(r[10], Errno.EOPNOTSUPP);  // FAULT_ID_VALID on a paging HWPT
            Succeeds(r[11]);                 // DIRTY_TRACKING on a capable device
            Succeeds(r[12]);
            Fails(r[13], Errno.EOPNOTSUPP);
            Fails(r[14], Errno.EINVAL);      // a dirty-tracking domain refuses a NO_DIRTY device
            Fails(r[15], Errno.EINVAL);      // nested on an automatic HWPT
            Succeeds(r[16]);
            Fails(r[17], Errno.EINVAL);      // nested on a HWPT without NEST_PARENT
            Fails(r[18], Errno.EOPNOTSUPP);
            Fails(r[19], Errno.EOPNOTSUPP);
            Fails(r[20], Errno.EOPNOTSUPP);
            Succeeds(r[21]);
            Succeeds(r[22]);                 // three domains in the IOAS, the page pinned once
            Succeeds(r[23]);
        });
    }

    [Test]
    public void GetHwInfoOfAMockDevice()
    {
        var r = Replay("mockdomain/get-hw-info");
        Assert.Multiple(() =>
        {
            Succeeds(r[6]);
            FieldIs(r[6], "data_len", 8);
            FieldIs(r[6], "out_data_type", 0xfeedbeef);      // IOMMU_HW_INFO_TYPE_SELFTEST
            FieldIs(r[6], "out_capabilities", 1);            // IOMMU_HW_CAP_DIRTY_TRACKING
            FieldIs(r[6], "out_max_pasid_log2", 0);
            Succeeds(r[8]);
            Assert.That(Words(r[9]), Is.EqualTo(new[] { 0xdeadbeef00000000UL, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue }));
            Succeeds(r[11]);
            Assert.That(Words(r[12]), Is.EqualTo(new[] { 0xdeadbeef00000000UL, 0UL, ulong.MaxValue, ulong.MaxValue }));
            Succeeds(r[14]);
            FieldIs(r[14], "data_len", 8);
            Assert.That(Words(r[15])[0], Is.EqualTo(0xffffffff00000000UL));
            FieldIs(r[16], "out_capabilities", 0);
            Fails(r[17], Errno.ENOENT);
            Fails(r[18], Errno.EFAULT);
        });
    }

    [Test]
    public void CloseReleasesDevicesDomainsAndPins()
    {
        var r = Replay("mockdomain/close-cleanup");
        Assert.Multiple(() =>
        {
            Succeeds(r[5]);
            Succeeds(r[8]);
            Succeeds(r[10]);                  // one pin per context's MAP
            Succeeds(r[11]);
            Succeeds(r[12]);                  // the closed context's pin is gone
            Succeeds(r[13]);
            FieldIs(r[15], "out_ioas_id", 1);
        });
    }
}
