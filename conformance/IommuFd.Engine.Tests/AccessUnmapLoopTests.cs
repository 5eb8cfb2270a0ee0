using IommuFd.Bindings.Backends;
using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Tests;

/// <summary>iopt_unmap_iova_range's loop over pinned areas, with accesses whose unmap op behaves
/// (unpins) or does not (a driver bug: the kernel WARNs after 100 tries and answers EDEADLK).</summary>
public class AccessUnmapLoopTests
{
    private const ulong Page = 4096;
    private const int EDEADLK = 35;

    private sealed class TestAccess(IoPageTable.IoPageTable table, bool unpins) : IIoptAccess
    {
        public readonly List<(ulong Iova, ulong Last)> Pins = [];
        public int Notified;
        public ulong IovaAlignment => Page;
        public bool Destroying => false;

        public void NotifyUnmap(ulong iova, ulong length)
        {
            Notified++;
            if (!unpins)
                return;
            foreach (var pin in Pins.ToArray())
                if (pin.Iova <= iova + length - 1 && iova <= pin.Last)
                {
                    Pins.Remove(pin);
                    table.UnpinForAccess(pin.Iova, pin.Last);
                }
        }
    }

    private static void Map(IoPageTable.IoPageTable table, ulong uptr, ulong length, ulong iova)
    {
        Assert.That(table.AllocPages(uptr, length, true, PagesAccountMode.None, out Pages? pages), Is.EqualTo(0));
        Span<PagesSlice> slices = [new PagesSlice(pages!, uptr - pages!.Uptr, length)];
        Assert.That(table.MapPages(slices, length, ref iova, IommuProt.Read | IommuProt.Write, allocIova: false), Is.EqualTo(0));
    }

    [TestCase(true, 0, 1)]
    [TestCase(false, -EDEADLK, 101)]
    public void UnmapRetriesUntilTheAccessesUnpin(bool unpins, int expected, int notifications)
    {
        using UserMemory buffer = UserMemory.Map((nuint)(4 * Page));
        var table = new IoPageTable.IoPageTable(PlatformProfile.X86_64);
        var access = new TestAccess(table, unpins);
        Assert.That(table.AddAccess(access, out _), Is.EqualTo(0));
        Map(table, buffer.Address, 2 * Page, 0x10000);
        Map(table, buffer.Address + 2 * Page, 2 * Page, 0x12000);
        var pages = new List<Memory.PageName>();
        Assert.That(table.PinForAccess(0x11000, 0x12FFF, write: true, pages), Is.EqualTo(0));
        access.Pins.Add((0x11000, 0x12FFF));
        Assert.That(pages, Is.EqualTo(new Memory.PageName[] { new(null, buffer.Address + Page), new(null, buffer.Address + 2 * Page) }));

        int rc = table.UnmapRange(0x10000, 0x13FFF, out ulong unmapped);
        Assert.That((rc, access.Notified), Is.EqualTo((expected, notifications)));
        // The pin spans both areas: once unpinned, neither needs another notification.
        Assert.That(unmapped, Is.EqualTo(unpins ? 4 * Page : 0));
        Assert.That(table.AreaCount, Is.EqualTo(unpins ? 0 : 2));
    }
}
