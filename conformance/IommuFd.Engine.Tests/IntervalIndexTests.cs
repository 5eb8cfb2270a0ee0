using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Tests;

public class IntervalIndexTests
{
    private sealed class Node : IntervalNode;

    private struct FirstFit : IHoleFit
    {
        public bool TryFit(ulong holeStart, ulong holeLast, out ulong result)
        {
            result = holeStart;
            return true;
        }
    }

    [Test]
    public void RandomOperationsMatchASortedListModel()
    {
        var rng = new Random(1234);
        var tree = new IntervalIndex();
        var model = new SortedDictionary<ulong, Node>();
        for (int step = 0; step < 20000; step++)
        {
            ulong start = (ulong)rng.Next(0, 100000) * 16;
            ulong last = start + (ulong)rng.Next(1, 64) - 1;
            bool overlaps = model.Values.Any(n => n.Start <= last && start <= n.Last);
            if (!overlaps && rng.Next(3) != 0)
            {
                var node = new Node { Start = start, Last = last };
                tree.Insert(node);
                model.Add(start, node);
            }
            else if (model.Count > 0)
            {
                Node victim = model.Values.ElementAt(rng.Next(model.Count));
                tree.Remove(victim);
                model.Remove(victim.Start);
            }

            if (step % 500 == 0)
            {
                Assert.That(tree.ToList().Select(n => n.Start), Is.EqualTo(model.Keys));
                ulong qs = (ulong)rng.Next(0, 1600000), ql = qs + (ulong)rng.Next(0, 5000);
                IntervalNode? expected = model.Values.FirstOrDefault(n => n.Start <= ql && qs <= n.Last);
                Assert.That(tree.FirstIntersecting(qs, ql), Is.SameAs(expected));
                Assert.That(tree.Higher(qs), Is.SameAs(model.Values.FirstOrDefault(n => n.Start > qs)));
                ulong size = (ulong)rng.Next(1, 200);
                var fit = new FirstFit();
                bool found = tree.FindHole(qs, ql, size, ref fit, out ulong got);
                Assert.That(found ? got : (ulong?)null, Is.EqualTo(LowestHole(model.Values, qs, ql, size)), $"step {step}");
            }
        }
        Assert.That(tree.Count, Is.EqualTo(model.Count));
    }

    [Test]
    public void GrowingAndDrainingAManyLevelIndexKeepsOrderAndHoles()
    {
        // Enough entries for several levels of nodes; removal in a scattered order merges thinned nodes.
        var tree = new IntervalIndex();
        var model = new SortedDictionary<ulong, Node>();
        var rng = new Random(7);
        for (int i = 0; i < 40_000; i++)
        {
            ulong start = (ulong)i * 8 + (ulong)rng.Next(0, 3);
            var node = new Node { Start = start, Last = start + (ulong)rng.Next(0, 4) };
            tree.Insert(node);
            model.Add(start, node);
        }
        var order = model.Values.OrderBy(_ => rng.Next()).ToList();
        for (int i = 0; i < order.Count; i++)
        {
            tree.Remove(order[i]);
            model.Remove(order[i].Start);
            if (i % 4000 != 0)
                continue;
            Assert.That(tree.ToList(), Is.EqualTo(model.Values));
            foreach (ulong size in new ulong[] { 1, 9, 40, 300 })
            {
                var fit = new FirstFit();
                bool found = tree.FindHole(100, 300_000, size, ref fit, out ulong got);
                Assert.That(found ? got : (ulong?)null, Is.EqualTo(LowestHole(model.Values, 100, 300_000, size)), $"removed {i}, size {size}");
            }
        }
        Assert.That(tree.Count, Is.EqualTo(model.Count));
    }

    // The lowest start of a maximal hole of the sorted, disjoint nodes inside [ws, wl] (clipped to
    // it) with room for `size`.
    private static ulong? LowestHole(IEnumerable<Node> sorted, ulong ws, ulong wl, ulong size)
    {
        ulong next = ws;
        foreach (Node n in sorted)
        {
            if (n.Last < next)
                continue;
            if (n.Start > wl)
                break;
            if (n.Start > next && n.Start - next >= size)
                return next;
            next = n.Last + 1;
        }
        return next <= wl && wl - next + 1 >= size ? next : null;
    }

    [Test]
    public void FindHoleReturnsTheLowestLargeEnoughHoleInTheWindow()
    {
        var rng = new Random(99);
        for (int round = 0; round < 200; round++)
        {
            var tree = new IntervalIndex();
            var nodes = new List<(ulong S, ulong L)>();
            ulong at = (ulong)rng.Next(0, 50);
            for (int i = 0; i < rng.Next(0, 40); i++)
            {
                ulong len = (ulong)rng.Next(1, 20);
                tree.Insert(new Node { Start = at, Last = at + len - 1 });
                nodes.Add((at, at + len - 1));
                at += len + (ulong)rng.Next(0, 30);
            }
            ulong ws = (ulong)rng.Next(0, 200), wl = ws + (ulong)rng.Next(0, 600);
            ulong size = (ulong)rng.Next(1, 25);
            ulong? expected = null;
            for (ulong a = ws; a + size - 1 <= wl && expected == null; a++)
            {
                // lowest start of a maximal hole (clipped) with room for `size`
                bool free(ulong x) => !nodes.Any(n => n.S <= x && x <= n.L);
                if (!free(a) || (a > ws && free(a - 1))) continue;
                ulong e = a;
                while (e + 1 <= wl && free(e + 1)) e++;
                if (e - a + 1 >= size) expected = a;
            }
            var fit = new FirstFit();
            bool found = tree.FindHole(ws, wl, size, ref fit, out ulong got);
            Assert.That(found ? got : (ulong?)null, Is.EqualTo(expected), $"round {round}");
        }
    }

    [Test]
    public void FindHoleCoversTheTopOfTheAddressSpace()
    {
        var tree = new IntervalIndex();
        tree.Insert(new Node { Start = 0, Last = ulong.MaxValue - 10 });
        var fit = new FirstFit();
        Assert.That(tree.FindHole(0, ulong.MaxValue, 5, ref fit, out ulong got), Is.True);
        Assert.That(got, Is.EqualTo(ulong.MaxValue - 9));
        tree.Insert(new Node { Start = ulong.MaxValue - 9, Last = ulong.MaxValue });
        Assert.That(tree.FindHole(0, ulong.MaxValue, 1, ref fit, out _), Is.False);
    }
}
