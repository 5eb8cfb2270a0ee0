using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 <c>vfio_compat_mock_domain</c> cases for both variants (Ver1v2: VFIO_TYPE1v2_IOMMU,
/// Ver1v0: VFIO_TYPE1_IOMMU), from the traces mockdomain/vfio-compat-CASE-VARIANT (MockDomainTraces).
/// The fixture: an IOAS ("ioas"), a mock device on it, IOMMU_VFIO_IOAS SET, VFIO_SET_IOMMU; every trace ends with teardown_iommufd (close, reopen, no page
/// of the 16-page buffer pinned). huge_map runs on its MAP_HUGETLB buffer (the kernel side needs
/// reserved huge pages, which the test VM has) and, beyond the selftest, on an ordinary 4 MiB buffer.</summary>
public sealed class VfioCompatMockDomainTests(BackendKind backend) : MockDomainFixture(backend)
{
    private const ulong Page = TestEnv.PageSize, Base = TestEnv.BaseIova, BufferSize = TestEnv.BufferSize;
    private const ulong ApertureLast = (1UL << 31) - 1;
    private const int Type1 = 1, InfoWindow = 128, ChainLength = 72;

    /// <summary>The variants: trace suffix and VFIO_SET_IOMMU's type.</summary>
    public static IEnumerable<TestCaseData> Variants() =>
        new (string Name, int Version)[] { ("ver1v2", 3), ("ver1v0", Type1) }
            .Select(v => new TestCaseData(v.Name, v.Version).SetArgDisplayNames(v.Name));

    [TestCaseSource(nameof(Variants))]
    public void SimpleClose(string variant, int version)
    {
        var r = Replay($"mockdomain/vfio-compat-simple-close-{variant}");
        Assert.Multiple(() => AllSucceed(r, from: "ioas"));
    }

    [TestCaseSource(nameof(Variants))]
    public void OptionHugePages(string variant, int version)
    {
        var r = Replay($"mockdomain/vfio-compat-option-huge-pages-{variant}");
        Assert.Multiple(() =>
        {
            AllSucceed(r, from: "ioas");
            FieldIs(r["get_huge_pages"], "val64", version == Type1 ? 0UL : 1UL); // type1 turns huge pages off, even with a domain
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void GetInfo(string variant, int version)
    {
        var r = Replay($"mockdomain/vfio-compat-get-info-{variant}");
        Assert.Multiple(() =>
        {
            AllSucceed(r, from: "ioas");
            CheckInfo(r["pre_cap_bytes"], argsz: 16);     // the pre-cap ABI: argsz up to iova_pgsizes
            CheckInfo(r["chain_size_bytes"], argsz: 24);  // the chain's size
            for (int argsz = 24; argsz < ChainLength; argsz++)
                CheckInfo(r[$"argsz_{argsz}_bytes"], argsz);
            byte[] whole = CheckInfo(r["whole_chain_bytes"], ChainLength);
            Assert.That(Word32(whole, 16), Is.EqualTo(24), "cap_offset once the whole chain fits");
            CheckChain(whole);
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void Map(string variant, int version)
    {
        var r = Replay($"mockdomain/vfio-compat-map-{variant}");
        Assert.Multiple(() =>
        {
            AllSucceed(r, from: "ioas", except: ["unmap_all_with_range"]);
            FieldIs(r["unmap"], "size", BufferSize);
            FieldIs(r["unmap_empty"], "size", 0);                 // unmapping nothing is success
            Fails(r["unmap_all_with_range"], Errno.EINVAL);       // UNMAP_FLAG_ALL with an iova and a size
            FieldIs(r["unmap_all"], "size", BufferSize);
            // 16 one-page maps, unmapped in the selftest's shuffled order (glibc rand() from seed 1).
            for (int page = 0; page < 16; page++)
                FieldIs(r[$"unmap_page_{page}"], "size", Page);
        });
    }

    [TestCaseSource(nameof(Variants))]
    public void HugeMapWithSmallPages(string variant, int version) => CheckHugeMap($"mockdomain/vfio-compat-huge-map-small-pages-{variant}", version);

    [TestCaseSource(nameof(Variants))]
    public void HugeMap(string variant, int version) => CheckHugeMap($"mockdomain/vfio-compat-huge-map-{variant}", version);

    // One MAP_DMA of 4 MiB, then 16 unmaps of a sixteenth in the shuffled order.
    private void CheckHugeMap(string traceName, int version)
    {
        var r = Replay(traceName);
        const ulong Piece = (4UL << 20) / 16;
        Assert.Multiple(() =>
        {
            Succeeds(r["map"]);
            for (int piece = 0; piece < 16; piece++)
            {
                StepResult unmap = r[$"unmap_piece_{piece}"];
                if (version == Type1)
                {
                    Succeeds(unmap);              // type1 cuts the mapping
                    FieldIs(unmap, "size", Piece);
                }
                else
                {
                    Fails(unmap, Errno.ENOENT);   // type1v2 never does
                    FieldIs(unmap, "size", 0);
                }
            }
            Succeeds(r["teardown_refs"]);
        });
    }

    // ioctl_check_buf and the header checks: flags PGSIZES|CAPS, the total in argsz, the mock domain's
    // 2 KiB IO page folded into PAGE_SIZE, and nothing written from argsz on (the window is 0xAA there).
    private static byte[] CheckInfo(StepResult read, int argsz)
    {
        byte[] bytes = Convert.FromHexString(read.Hex ?? "");
        Assert.That(bytes, Has.Length.EqualTo(InfoWindow), () => $"step {read.Step}: {read}");
        if (bytes.Length != InfoWindow)
            return bytes;
        Assert.That(Word32(bytes, 0), Is.EqualTo(ChainLength), () => $"step {read.Step}: argsz");
        Assert.That(Word32(bytes, 4), Is.EqualTo(3), () => $"step {read.Step}: flags");
        // 7.3's mock domain is the generic page table: every size from PAGE_SIZE to 2^36 (iommufd_get_pagesizes,
        // vfio_compat.c:360, the domain's pgsize_bitmap)
        Assert.That(BitConverter.ToUInt64(bytes, 8), Is.EqualTo(Kernel.AtLeast(7, 3) ? 0x1F_FFFF_F000UL : Page), () => $"step {read.Step}: iova_pgsizes");
        if (argsz >= 24 && argsz < ChainLength)
            Assert.That(Word32(bytes, 16), Is.EqualTo(0), () => $"step {read.Step}: cap_offset below the total");
        Assert.That(bytes[argsz..].All(b => b == 0xAA), Is.True, () => $"step {read.Step}: written past argsz {argsz}: {read.Hex}");
        return bytes;
    }

    // check_vfio_info_cap_chain: the DMA-avail cap (16 bytes) then the IOVA range cap with the aperture.
    private static void CheckChain(byte[] info)
    {
        int offset = (int)Word32(info, 16);
        var seen = new List<int>();
        while (offset != 0)
        {
            Assert.That(offset + 8, Is.LessThanOrEqualTo(ChainLength), "a cap header past argsz");
            if (offset + 8 > ChainLength || seen.Count > 4)
                return;
            int id = BitConverter.ToUInt16(info, offset), capVersion = BitConverter.ToUInt16(info, offset + 2);
            int next = (int)Word32(info, offset + 4);
            seen.Add(id);
            Assert.That(capVersion, Is.EqualTo(1));
            if (id == 1) // VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE
            {
                Assert.That(Word32(info, offset + 8), Is.EqualTo(1), "nr_iovas");
                Assert.That(BitConverter.ToUInt64(info, offset + 16), Is.EqualTo(Base), "MOCK_APERTURE_START");
                Assert.That(BitConverter.ToUInt64(info, offset + 24), Is.EqualTo(ApertureLast), "MOCK_APERTURE_LAST");
            }
            else
            {
                Assert.That(id, Is.EqualTo(3), "VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL");
                Assert.That((next == 0 ? ChainLength : next) - offset, Is.EqualTo(16), "sizeof dma_avail");
            }
            Assert.That(next == 0 || next > offset, Is.True, "the chain goes forward");
            offset = next;
        }
        Assert.That(seen, Is.EqualTo(new[] { 3, 1 }));
    }

    private static uint Word32(byte[] bytes, int offset) => BitConverter.ToUInt32(bytes, offset);
}
