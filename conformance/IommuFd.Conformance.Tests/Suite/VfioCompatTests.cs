using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The VFIO type1 container ioctls on the iommufd fd with a compat IOAS and no device
/// (spec §8; the 6.12 <c>vfio_compat_mock_domain</c> tests are in <see cref="VfioCompatMockDomainTests"/>).</summary>
public sealed class VfioCompatTests(BackendKind backend) : ConformanceFixture(backend)
{
    private const ulong Page = TestEnv.PageSize;

    [Test]
    public void CompatWithoutDevice()
    {
        var r = Replay("vfio/compat-no-device");
        Assert.Multiple(() =>
        {
            Fails(r["dma_cc_no_ioas"], Errno.ENODEV);        // DMA_CC_IOMMU needs a compat IOAS
            Succeeds(r["set_compat"]);
            Succeeds(r["ext0"], rc: 0);
            Succeeds(r["ext1"], rc: 1);            // TYPE1
            Succeeds(r["ext3"], rc: 1);            // TYPE1v2
            Succeeds(r["ext4"], rc: 1);            // DMA_CC_IOMMU: no domain, nothing incoherent
            Succeeds(r["ext6"], rc: 0);            // NESTING
            Succeeds(r["ext9"], rc: 1);            // UNMAP_ALL
            Succeeds(r["ext10"], rc: 0);           // UPDATE_VADDR
            Succeeds(r["ext100"], rc: 0);

            // GET_INFO: argsz 16 writes 16 bytes; the total grows to 72 (header 24, dma_avail 16, iova range 32).
            Succeeds(r["info_16"]);
            FieldIs(r["info_16"], "argsz", 72);
            FieldIs(r["info_16"], "flags", 3);
            FieldIs(r["info_16"], "iova_pgsizes", 0xFFFFFFFFFFFFF000);
            FieldIs(r["info_16"], "cap_offset", 0);
            Succeeds(r["info_24"]);
            FieldIs(r["info_24"], "argsz", 72);
            FieldIs(r["info_24"], "cap_offset", 0);
            Succeeds(r["info_48"]);                  // argsz 48: only the dma_avail cap fits; its next says 40
            Assert.That(r["info_48"].Tail, Is.EqualTo("0300" + "0100" + "28000000" + "ffffffff" + "aaaaaaaa" + "aaaaaaaaaaaaaaaa"));
            FieldIs(r["info_48"], "cap_offset", 0);
            Succeeds(r["info_72"]);                  // argsz 72: both caps and cap_offset 24
            FieldIs(r["info_72"], "cap_offset", 24);
            Assert.That(r["info_72"].Tail, Is.EqualTo("0300010028000000ffffffff" + "aaaaaaaa" + "0100" + "0100" + "00000000" +
                                               "01000000" + "00000000" + "0000000000000000" + "ffffffffffffffff"));
            Succeeds(r["info_80"]);
            FieldIs(r["info_80"], "argsz", 72);
            Assert.That(r["info_80"].Tail, Does.EndWith("ffffffffffffffff" + "aaaaaaaaaaaaaaaa"), "nothing written past the total");

            Fails(r["set_iommu_2"], Errno.EINVAL);       // SET_IOMMU type 2
            Succeeds(r["set_iommu_v2"]);
            Succeeds(r["map"]);
            Fails(r["map_overlap"], Errno.EEXIST);
            Succeeds(r["unmap"]);
            FieldIs(r["unmap"], "size", 16 * Page);
            Succeeds(r["unmap_empty"]);                  // unmapping nothing is success here, unlike IOAS_UNMAP
            FieldIs(r["unmap_empty"], "size", 0);
            Succeeds(r["map_no_permission"]);                  // flags 0: a mapping without permission is accepted
            Fails(r["map_vaddr_flag"], Errno.EINVAL);       // VADDR is not supported
            Fails(r["map_size_0"], Errno.EINVAL);
            Succeeds(r["map_second"]);
            Fails(r["unmap_all_with_range"], Errno.EINVAL);       // UNMAP_ALL with a range
            Succeeds(r["unmap_all"]);
            FieldIs(r["unmap_all"], "size", 17 * Page);
            Fails(r["unmap_bad_flag"], Errno.EINVAL);       // GET_DIRTY_BITMAP flag
            Succeeds(r["map_v2"]);
            Fails(r["unmap_middle_v2"], Errno.ENOENT);       // type1v2 never splits a mapping
            FieldIs(r["unmap_middle_v2"], "size", 0);        // size is written back even on failure
            Succeeds(r["unmap_all_v2"]);
            FieldIs(r["unmap_all_v2"], "size", 16 * Page);
            Succeeds(r["set_iommu_v1"]);                  // type1 turns huge pages off...
            FieldIs(r["huge_pages_after_v1"], "val64", 0);
            Succeeds(r["map_v1"]);
            Succeeds(r["unmap_middle_v1"]);                  // ...so unmapping inside a mapping splits it
            FieldIs(r["unmap_middle_v1"], "size", Page);
            Succeeds(r["unmap_rest_partial_v1"]);
            FieldIs(r["unmap_rest_partial_v1"], "size", 7 * Page);
            Succeeds(r["unmap_all_v1"]);
            FieldIs(r["unmap_all_v1"], "size", 8 * Page);
            Succeeds(r["set_iommu_v2_again"]);
            FieldIs(r["huge_pages_after_v2"], "val64", 0);       // TYPE1v2 does not turn huge pages back on
            Succeeds(r["api_version"], rc: 0);
            Fails(r["dirty_pages"], Errno.ENOTTY);       // VFIO_IOMMU_DIRTY_PAGES
            Fails(r["iommu_enable"], Errno.ENOTTY);       // VFIO_IOMMU_ENABLE (SPAPR)
        });
    }
}
