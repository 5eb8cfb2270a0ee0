using IommuFd.Bindings.Backends;
using IommuFd.Engine.Domains;
using IommuFd.Engine.IoPageTable;
using IommuFd.Interop;

namespace IommuFd.Engine.Tests;

/// <summary>The mock domain's 1 MiB IO pages over hugetlb memory (which aligned MiBs get one, and how
/// the dirty walk reports them) and iova_bitmap's window; the traces mockdomain/dirty-huge-edges and
/// dirty-get-bitmap-*-huge check the same against the kernel.</summary>
public sealed class LargeIoPageTests
{
    private const ulong Page = 4096, IoPage = 2048, Mib = 1UL << 20, Base = 1UL << 24;

    private static IoPageTable.IoPageTable Table(out IommuDomain domain)
    {
        var table = new IoPageTable.IoPageTable(PlatformProfile.X86_64);
        domain = MockIommu.AllocPaging(EngineOptions.Default, IommufdTest.MOCK_FLAGS_DEVICE_HUGE_IOVA, dirtyOps: true);
        Assert.That(table.AddDomain(domain), Is.EqualTo(0));
        return table;
    }

    private static void Map(IoPageTable.IoPageTable table, ulong uptr, ulong length, ulong iova)
    {
        Assert.That(table.AllocPages(uptr, length, true, PagesAccountMode.None, out Pages? pages), Is.EqualTo(0));
        Span<PagesSlice> slices = [new PagesSlice(pages!, uptr - pages!.Uptr, length)];
        Assert.That(table.MapPages(slices, length, ref iova, IommuProt.Read | IommuProt.Write, allocIova: false), Is.EqualTo(0));
    }

    private static List<ulong> LargeMibs(IommuDomain domain, ulong first, ulong count) =>
        Enumerable.Range(0, (int)count).Select(k => first + (ulong)k * Mib)
            .Where(mib => domain.Large.Contains(mib / IoPage) && domain.Large.Contains((mib + Mib - IoPage) / IoPage)).ToList();

    [Test]
    public void OnlyWholeCongruentMibsOfHugePagesGetALargeIoPage()
    {
        using var engine = new EngineBackend();
        using UserMemory huge = engine.AllocateHugetlb((nuint)(4 * Mib));
        using UserMemory plain = UserMemory.Map((nuint)(4 * Mib));
        var table = Table(out IommuDomain domain);
        Map(table, huge.Address, 4 * Mib, Base);                                  // congruent: all four
        Map(table, huge.Address + Page, 2 * Mib, Base + 8 * Mib);                 // VA offset 4 KiB: none
        Map(table, huge.Address + Mib / 2, Mib + Mib / 2, Base + 16 * Mib + Mib / 2); // one whole MiB inside
        ulong plainVa = (plain.Address + Mib - 1) & ~(Mib - 1);
        Map(table, plainVa, 2 * Mib, Base + 24 * Mib);                            // ordinary pages: none
        Assert.Multiple(() =>
        {
            Assert.That(LargeMibs(domain, Base, 4), Has.Count.EqualTo(4));
            Assert.That(LargeMibs(domain, Base + 8 * Mib, 2), Is.Empty);
            Assert.That(LargeMibs(domain, Base + 16 * Mib, 2), Is.EqualTo(new[] { Base + 17 * Mib }));
            Assert.That(domain.Large.Contains((Base + 16 * Mib + Mib / 2) / IoPage), Is.False);
            Assert.That(LargeMibs(domain, Base + 24 * Mib, 2), Is.Empty);
        });
        Assert.That(table.UnmapRange(Base, Base + 4 * Mib - 1, out _), Is.EqualTo(0));
        Assert.That(LargeMibs(domain, Base, 4), Is.Empty, "unmapping takes the flags along");
    }

    [Test]
    public void LargePagesOffMapsSmallPagesOnly()
    {
        using var engine = new EngineBackend();
        using UserMemory huge = engine.AllocateHugetlb((nuint)(2 * Mib));
        var table = new IoPageTable.IoPageTable(PlatformProfile.X86_64);
        Assert.That(table.DisableLarge(), Is.EqualTo(0));
        IommuDomain domain = MockIommu.AllocPaging(EngineOptions.Default, IommufdTest.MOCK_FLAGS_DEVICE_HUGE_IOVA, dirtyOps: true);
        Assert.That(table.AddDomain(domain), Is.EqualTo(0));
        Map(table, huge.Address, 2 * Mib, Base);
        Assert.That(domain.Large.IsEmpty, Is.True);
    }

    [TestCase(false, TestName = "AFlaggedEntryIsAOneMibStepReportedFromItsStart(before 6.12.118)")]
    [TestCase(true, TestName = "AFlaggedEntryIsAOneMibStepReportedFromItsStart(6.12.118)")]
    public void AFlaggedEntryIsAOneMibStepReportedFromItsStart(bool rejectOutside)
    {
        var large = new LargeIoPages();
        large.Mark(Base, 2 * Mib);
        var dirty = new DirtyBits(large) { Tracking = true };
        dirty.Mark((Base + 5 * IoPage) / IoPage);
        dirty.Mark((Base + Mib + 100 * IoPage) / IoPage);
        using UserMemory bitmap = UserMemory.Map((nuint)(2 * Page));
        // From 8 KiB into the first MiB, 1 MiB + 8 KiB long: two steps. The second reaches past the range:
        // before 6.12.118 it is reported past the end (bits 512..1023 of a 516-bit bitmap), within the
        // bitmap's pinned page; from 6.12.118 it is refused with EPROTO and sets nothing.
        var bits = new IovaBitmap(Base + 2 * Page, Mib + 2 * Page, IoPage, bitmap.Address, Page, rejectOutside);
        Assert.That(dirty.ReadAndClear(Base + 2 * Page, Mib + 2 * Page, noClear: false, bits), Is.EqualTo(0));
        bits.Flush();
        byte[] bytes = bitmap.Span[..256].ToArray();
        int setBytes = rejectOutside ? 64 : 128;
        Assert.Multiple(() =>
        {
            Assert.That(bytes[..setBytes], Is.All.EqualTo(0xff));
            Assert.That(bytes[setBytes..], Is.All.EqualTo(0));
            Assert.That(bits.Error, Is.EqualTo(rejectOutside ? -ErrnoValues.EPROTO : 0));
        });
        // Both MiBs were cleared whole.
        Assert.That(dirty.ReadAndClear(Base, 2 * Mib, noClear: false, null), Is.EqualTo(0));
        var again = new IovaBitmap(Base + Mib - IoPage, 2 * IoPage, IoPage, bitmap.Address + Page, Page, rejectOutside);
        dirty.Mark((Base + Mib) / IoPage);
        Assert.That(dirty.ReadAndClear(Base + Mib - IoPage, 2 * IoPage, noClear: true, again), Is.EqualTo(0));
        again.Flush();
        // A 4 KiB range across the first MiB's end: the first step is the first MiB (clean): nothing, and
        // the walk ends before the second.
        Assert.That(bitmap.Span[(int)Page..(int)(Page + 256)].ToArray(), Is.All.EqualTo(0));
    }
}
