using System.Numerics;
using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Tests;

/// <summary>
/// Differential test of <see cref="IoPageTable"/> against a literal, O(n) transcription of the
/// kernel's io_pagetable.c on plain lists: span iteration over sorted nodes, first fit, the same
/// errnos. Random sequences of fixed/automatic maps, unmaps, allowed and reserved ranges.
/// </summary>
public class ReferenceAllocatorTests
{
    private const ulong Page = 4096;

    private sealed class Model
    {
        public readonly List<(ulong S, ulong L)> Areas = [];
        public readonly List<(ulong S, ulong L)> Reserved = [];
        public List<(ulong S, ulong L)> Allowed = [];
        public readonly Dictionary<ulong, ulong> PageOffsets = [];
        public ulong Alignment = 1;

        public int DisableLargePages()
        {
            if (Alignment == Page) return 0;
            if (Areas.Any(a => a.S % Page != 0 || (a.L - a.S + 1) % Page != 0 || PageOffsets[a.S] % Page != 0)) return -98;
            Alignment = Page;
            return 0;
        }

        private static bool Hits(List<(ulong S, ulong L)> list, ulong s, ulong l) => list.Any(n => n.S <= l && s <= n.L);

        // interval_tree_for_each_span: alternating holes and used spans of the (merged) nodes in [first, last].
        private static IEnumerable<(bool Hole, ulong S, ulong L)> Spans(IEnumerable<(ulong S, ulong L)> nodes, ulong first, ulong last)
        {
            var sorted = nodes.Where(n => n.S <= last && n.L >= first).OrderBy(n => n.S).ToList();
            ulong cur = first;
            int i = 0;
            while (true)
            {
                if (i == sorted.Count) { yield return (true, cur, last); yield break; }
                if (sorted[i].S > cur) { yield return (true, cur, sorted[i].S - 1); cur = sorted[i].S; }
                ulong used = sorted[i].L;
                i++;
                while (i < sorted.Count && (sorted[i].S <= used || sorted[i].S == used + 1)) { used = Math.Max(used, sorted[i].L); i++; }
                if (used >= last) { yield return (false, cur, last); yield break; }
                yield return (false, cur, used);
                cur = used + 1;
            }
        }

        private static bool CheckRange(ref ulong start, ulong last, ulong length, ulong align, ulong pageOffset)
        {
            if (start + (align - 1) < start) return false;
            ulong a = (start + (align - 1)) & ~(align - 1);
            a |= pageOffset;
            if (a >= last || last - a < length - 1) return false;
            start = a;
            return true;
        }

        public int Alloc(ulong uptr, ulong length, ulong alignment, out ulong iova)
        {
            iova = 0;
            ulong pageOffset = uptr % Page;
            if (length == 0 || length >= ulong.MaxValue / 2) return -75;
            ulong align = BitOperations.RoundUpToPowerOf2(length);
            if (uptr != 0) align = Math.Min(align, 1UL << BitOperations.TrailingZeroCount(uptr));
            if (align >= 2UL << 20) align = 2UL << 20;
            if (align < alignment) return -22;
            var allowedSpans = Allowed.Count == 0
                ? [(false, Page, ulong.MaxValue - Page)]
                : Spans(Allowed, Page, ulong.MaxValue - Page).ToList();
            foreach ((bool hole, ulong s, ulong l) in allowedSpans)
            {
                if (hole) continue;
                ulong start = s;
                if (!CheckRange(ref start, l, length, align, pageOffset)) continue;
                foreach ((bool h, ulong hs, ulong hl) in Spans(Reserved.Concat(Areas), start, l))
                {
                    if (!h) continue;
                    ulong hstart = hs;
                    if (CheckRange(ref hstart, hl, length, align, pageOffset)) { iova = hstart; return 0; }
                }
            }
            return -28;
        }

        public int Map(ulong uptr, ulong length, ulong alignment, bool fixedIova, ref ulong iova)
        {
            if (length == 0 || (length & (alignment - 1)) != 0) return -22;
            if (!fixedIova)
            {
                int rc = Alloc(uptr, length, alignment, out iova);
                if (rc != 0) return rc;
            }
            else
            {
                if ((iova & (alignment - 1)) != 0) return -22;
                if (iova + (length - 1) < iova) return -75;
                if (Hits(Reserved, iova, iova + length - 1)) return -22;
                if (Hits(Areas, iova, iova + length - 1)) return -17;
            }
            if (((uptr % Page) & (alignment - 1)) != 0) return -22;
            Areas.Add((iova, iova + length - 1));
            PageOffsets[iova] = uptr % Page;
            return 0;
        }

        public int Unmap(ulong start, ulong last, out ulong unmapped)
        {
            unmapped = 0;
            while (true)
            {
                if (!Areas.Any(a => a.S <= last && start <= a.L)) break;
                var hit = Areas.Where(a => a.S <= last && start <= a.L).MinBy(a => a.S);
                if (hit.S < start || hit.L > last) return -2;
                Areas.Remove(hit);
                unmapped += hit.L - hit.S + 1;
                if (hit.L >= last) break;
                start = hit.L + 1;
            }
            return 0;
        }

        public int Reserve(ulong s, ulong l)
        {
            if (Hits(Areas, s, l) || Hits(Allowed, s, l)) return -98;
            Reserved.Add((s, l));
            return 0;
        }

        public int SetAllowed(List<(ulong S, ulong L)> ranges)
        {
            if (ranges.Any(r => Hits(Reserved, r.S, r.L))) return -98;
            Allowed = ranges;
            return 0;
        }
    }

    [Test]
    public void RandomSequencesMatchTheLiteralKernelAlgorithm([Values(1, 2, 3, 4, 5, 6, 7, 8)] int seed)
    {
        var rng = new Random(seed);
        var table = new IoPageTable.IoPageTable(PlatformProfile.X86_64);
        var model = new Model();
        ulong Small() => (ulong)rng.Next(0, 64) * (rng.Next(4) == 0 ? 0x800UL : Page) + (rng.Next(8) == 0 ? (ulong)rng.Next(0, 4096) : 0);

        for (int step = 0; step < 3000; step++)
        {
            int op = rng.Next(10);
            if (op < 5)
            {
                bool fixedIova = rng.Next(3) == 0;
                ulong uptr = rng.Next(3) == 0 ? 0 : Small() + ((ulong)rng.Next(0, 4) << 21);
                ulong length = rng.Next(6) == 0 ? (ulong)rng.Next(1, 5000) : (ulong)rng.Next(1, 16) * Page;
                ulong iova = fixedIova ? Small() : 0;
                ulong modelIova = iova;
                int expected = model.Map(uptr, length, model.Alignment, fixedIova, ref modelIova);
                int rc = table.AllocPages(uptr, length, true, PagesAccountMode.None, out Pages? pages);
                Assert.That(rc, Is.EqualTo(0));
                Span<PagesSlice> slices = [new PagesSlice(pages!, uptr - pages!.Uptr, length)];
                rc = table.MapPages(slices, length, ref iova, IommuProt.Read | IommuProt.Cache, !fixedIova);
                Assert.That(rc, Is.EqualTo(expected), $"seed {seed} step {step}: map uptr {uptr:x} len {length:x} fixed {fixedIova}");
                if (rc == 0) Assert.That(iova, Is.EqualTo(modelIova), $"seed {seed} step {step}: chosen IOVA");
            }
            else if (op < 8)
            {
                ulong start = Small(), last = start + (ulong)rng.Next(1, 20) * Page - 1;
                int expected = model.Unmap(start, last, out ulong modelUnmapped);
                int rc = table.UnmapRange(start, last, out ulong unmapped);
                Assert.That(rc, Is.EqualTo(expected), $"seed {seed} step {step}: unmap");
                if (rc == 0) Assert.That(unmapped, Is.EqualTo(modelUnmapped));
            }
            else if (op == 8 && rng.Next(4) == 0)
            {
                if (rng.Next(2) == 0)
                    Assert.That(table.DisableLarge(), Is.EqualTo(model.DisableLargePages()), $"seed {seed} step {step}: huge off");
                else
                {
                    table.EnableLarge();
                    model.Alignment = 1;
                }
                Assert.That(table.IovaAlignment, Is.EqualTo(model.Alignment));
            }
            else if (op == 8)
            {
                ulong s = Small(), l = s + (ulong)rng.Next(1, 8) * Page - 1;
                Assert.That(table.ReserveIova(s, l, null), Is.EqualTo(model.Reserve(s, l)), $"seed {seed} step {step}: reserve");
            }
            else
            {
                var ranges = new List<(ulong S, ulong L)>();
                for (int i = 0; i < rng.Next(0, 3); i++)
                {
                    ulong s = Small() + (ulong)i * (64 * Page), l = s + (ulong)rng.Next(2, 64) * Page - 1;
                    if (!ranges.Any(r => r.S <= l && s <= r.L)) ranges.Add((s, l));
                }
                int rc = table.SetAllowed([.. ranges.OrderBy(r => r.S).Select(r => new IovaRange(r.S, r.L))]);
                Assert.That(rc, Is.EqualTo(model.SetAllowed(ranges)), $"seed {seed} step {step}: allow");
            }
            if (step % 100 == 0)
                Assert.That(table.Areas().Select(a => (a.Start, a.Last)), Is.EqualTo(model.Areas.OrderBy(a => a.S)));
        }
    }
}
