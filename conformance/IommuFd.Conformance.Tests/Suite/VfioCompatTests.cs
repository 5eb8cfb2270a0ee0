using IommuFd.Conformance.Tests.Support;
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
            Fails(r[2], Errno.ENODEV);        // DMA_CC_IOMMU needs a compat IOAS
            Succeeds(r[3]);
            Succeeds(r[4], rc: 0);
            Succeeds(r[5], rc: 1);            // TYPE1
            Succeeds(r[6], rc: 1);            // TYPE1v2
            Succeeds(r[7], rc: 1);            // DMA_CC_IOMMU: no domain, nothing incoherent
            Succeeds(r[8], rc: 0);            // NESTING
            Succeeds(r[9], rc: 1);            // UNMAP_ALL
            Succeeds(r[10], rc: 0);           // UPDATE_VADDR
            Succeeds(r[11], rc: 0);

            // GET_INFO: argsz 16 writes 16 bytes; the total grows to 72 (header 24, dma_avail 16, iova range 32).
            Succeeds(r[12]);
            FieldIs(r[12], "argsz", 72);
            FieldIs(r[12], "flags", 3);
            FieldIs(r[12], "iova_pgsizes", 0xFFFFFFFFFFFFF000);
            FieldIs(r[12], "cap_offset", 0);
            Succeeds(r[13]);
            FieldIs(r[13], "argsz", 72);
            FieldIs(r[13], "cap_offset", 0);
            Succeeds(r[14]);                  // argsz 48: only the dma_avail cap fits; its next says 40
            Assert.That(r[14].Tail, Is.EqualTo("0300" + "0100" + "28000000" + "ffffffff" + "aaaaaaaa" + "aaaaaaaaaaaaaaaa"));
            FieldIs(r[14], "cap_offset", 0);
            Succeeds(r[15]);                  // argsz 72: both caps and cap_offset 24
            FieldIs(r[15], "cap_offset", 24);
            Assert.That(r[15].Tail, Is.EqualTo("0300010028000000ffffffff" + "aaaaaaaa" + "0100" + "0100" + "00000000" +
                                               "01000000" + "00000000" + "0000000000000000" + "ffffffffffffffff"));
            Succeeds(r[16]);
            FieldIs(r[16], "argsz", 72);
            Assert.That(r[16].Tail, Does.EndWith("ffffffffffffffff" + "aaaaaaaaaaaaaaaa"), "nothing written past the total");

            Fails(r[17], Errno.EINVAL);       // SET_IOMMU type 2
            Succeeds(r[18]);
            Succeeds(r[19]);
            Fails(r[20], Errno.EEXIST);
            Succeeds(r[21]);
            FieldIs(r[21], "size", 16 * Page);
            Succeeds(r[22]);                  // unmapping nothing is success here, unlike IOAS_UNMAP
            FieldIs(r[22], "size", 0);
            Succeeds(r[23]);                  // flags 0: a mapping without permission is accepted
            Fails(r[24], Errno.EINVAL);       // VADDR is not supported
            Fails(r[25], Errno.EINVAL);
            Succeeds(r[26]);
            Fails(r[27], Errno.EINVAL);       // UNMAP_ALL with a range
            Succeeds(r[28]);
            FieldIs(r[28], "size", 17 * Page);
            Fails(r[29], Errno.EINVAL);       // GET_DIRTY_BITMAP flag
            Succeeds(r[30]);
            Fails(r[31], Errno.ENOENT);       // type1v2 never splits a mapping
            FieldIs(r[31], "size", 0);        // size is written back even on failure
            Succeeds(r[32]);
            FieldIs(r[32], "size", 16 * Page);
            Succeeds(r[33]);                  // type1 turns huge pages off...
            FieldIs(r[34], "val64", 0);
            Succeeds(r[35]);
            Succeeds(r[36]);                  // ...so unmapping inside a mapping splits it
            FieldIs(r[36], "size", Page);
            Succeeds(r[37]);
            FieldIs(r[37], "size", 7 * Page);
            Succeeds(r[38]);
            FieldIs(r[38], "size", 8 * Page);
            Succeeds(r[39]);
            FieldIs(r[40], "val64", 0);       // TYPE1v2 does not turn huge pages back on
            Succeeds(r[41], rc: 0);
            Fails(r[42], Errno.ENOTTY);       // VFIO_IOMMU_DIRTY_PAGES
            Fails(r[43], Errno.ENOTTY);       // VFIO_IOMMU_ENABLE (SPAPR)
        });
    }
}
