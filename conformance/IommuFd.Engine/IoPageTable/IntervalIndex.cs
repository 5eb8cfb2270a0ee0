using System.Runtime.CompilerServices;

namespace IommuFd.Engine.IoPageTable;

/// <summary>An entry of <see cref="IntervalIndex"/>: the closed range [Start, Last]. Subclasses carry
/// the payload (an area, a reserved span), so each entry is one object; the index keeps its own copy
/// of the bounds, so they must not change while the entry is in it.</summary>
internal abstract class IntervalNode
{
    public ulong Start;
    public ulong Last;
}

/// <summary>Tries to place an allocation in a hole; <see cref="IntervalIndex.FindHole{TFit}"/> calls it
/// for every hole, lowest first, that is at least as large as the request.</summary>
internal interface IHoleFit
{
    bool TryFit(ulong holeStart, ulong holeLast, out ulong result);
}

/// <summary>
/// Non-overlapping closed intervals ordered by start, in a B+-tree of wide nodes: every node keeps the
/// bounds of its entries (an entry, or a child's first start and last end) in flat arrays, and the
/// largest gap inside each child. A lookup is a binary search per level (3 levels hold a million
/// entries), an insert or removal shifts a few words and adjusts the gap summaries of one path in
/// O(1) per level, and first-fit hole search visits only children that hold a large enough gap.
/// Since the intervals are disjoint, the ends are sorted too, so "first ending at or after" is a
/// binary search as well. Entries are not linked to each other (no per-entry tree fields): an area
/// costs the index one reference and two words.
/// </summary>
internal sealed class IntervalIndex
{
    /// <summary>Entries per node: a node's bounds fill a few cache lines, and 32^4 covers any IOAS.</summary>
    internal const int Fanout = 32;

    /// <summary>A leaf (entries) or a branch (children); Mins/Maxs are the bounds of each slot, Gaps
    /// the largest gap inside each slot (a child's MaxGap; always 0 for an entry).</summary>
    private abstract class Node(ulong[] gaps)
    {
        public int Count;
        public ulong MaxGap;  // most free addresses between two consecutive entries below this node
        public readonly ulong[] Mins = new ulong[Fanout], Maxs = new ulong[Fanout];
        public readonly ulong[] Gaps = gaps;

        public ulong SubMin => Mins[0];
        public ulong SubMax => Maxs[Count - 1];
    }

    private sealed class Leaf() : Node(NoGaps)
    {
        // Entries have no inside: every leaf shares one array of zeros, never written.
        private static readonly ulong[] NoGaps = new ulong[Fanout];

        public readonly IntervalNode?[] Items = new IntervalNode?[Fanout];
    }

    private sealed class Branch() : Node(new ulong[Fanout])
    {
        public readonly Node?[] Kids = new Node?[Fanout];
    }

    private Node _root = new Leaf();

    public int Count { get; private set; }

    public void Insert(IntervalNode node)
    {
        Node? split = Insert(_root, node);
        if (split != null)
        {
            var root = new Branch();
            SetChild(root, 0, _root);
            SetChild(root, 1, split);
            root.Count = 2;
            Recompute(root);
            _root = root;
        }
        Count++;
    }

    /// <summary>Removes the entry that starts at <paramref name="node"/>.Start (it must be present).</summary>
    public void Remove(IntervalNode node)
    {
        Remove(_root, node.Start);
        while (_root is Branch { Count: 1 } b)
            _root = b.Kids[0]!;
        if (_root is Branch { Count: 0 })
            _root = new Leaf();
        Count--;
    }

    /// <summary>The entry with the smallest start above <paramref name="key"/>.</summary>
    public IntervalNode? Higher(ulong key) => Higher(_root, key);

    /// <summary>The lowest entry intersecting [start, last].</summary>
    public IntervalNode? FirstIntersecting(ulong start, ulong last)
    {
        // Ends grow with starts: the first entry ending at or after `start` is the only candidate.
        Node n = _root;
        while (true)
        {
            int i = FirstMaxAtOrAbove(n, start);
            if (i == n.Count)
                return null;
            if (n is Leaf leaf)
                return n.Mins[i] <= last ? leaf.Items[i] : null;
            n = ((Branch)n).Kids[i]!;
        }
    }

    /// <summary>The next entry after <paramref name="node"/> that intersects [.., last], in order.</summary>
    public IntervalNode? NextIntersecting(IntervalNode node, ulong last)
    {
        IntervalNode? h = Higher(node.Start);
        return h != null && h.Start <= last ? h : null;
    }

    /// <summary>All entries in ascending order (a snapshot, so callers may modify the index).</summary>
    public List<IntervalNode> ToList()
    {
        var list = new List<IntervalNode>(Count);
        AddAll(_root, list);
        return list;
    }

    /// <summary>
    /// Offers every maximal hole of the index inside [windowStart, windowLast] that holds at least
    /// <paramref name="minSize"/> addresses to <paramref name="fit"/>, lowest first; returns true at
    /// the first one it accepts. Holes are clipped to the window, as the kernel's span iterator does.
    /// </summary>
    public bool FindHole<TFit>(ulong windowStart, ulong windowLast, ulong minSize, ref TFit fit, out ulong result)
        where TFit : struct, IHoleFit
    {
        var cursor = new HoleCursor { WindowStart = windowStart, WindowLast = windowLast, MinSize = minSize };
        if (Walk(_root, ref cursor, ref fit))
        {
            result = cursor.Result;
            return true;
        }
        // The trailing hole: after the last entry that starts inside the window.
        if (cursor.TryHoleStart(out ulong holeStart) && holeStart <= windowLast &&
            Size(holeStart, windowLast) >= minSize && fit.TryFit(holeStart, windowLast, out result))
            return true;
        result = 0;
        return false;
    }

    private struct HoleCursor
    {
        public ulong WindowStart, WindowLast, MinSize, PrevLast, Result;
        public bool HasPrev, Stop;

        /// <summary>Where the next hole starts; false when the previous entry reaches the top of the address space.</summary>
        public readonly bool TryHoleStart(out ulong start)
        {
            if (!HasPrev || PrevLast < WindowStart) { start = WindowStart; return true; }
            if (PrevLast == ulong.MaxValue) { start = 0; return false; }
            start = PrevLast + 1;
            return true;
        }

        public void Passed(ulong last)
        {
            PrevLast = last;
            HasPrev = true;
        }
    }

    // Number of addresses in [start, last] saturated to ulong range (the full space counts as MaxValue).
    private static ulong Size(ulong start, ulong last) => last - start == ulong.MaxValue ? ulong.MaxValue : last - start + 1;

    private static bool Walk<TFit>(Node n, ref HoleCursor c, ref TFit fit) where TFit : struct, IHoleFit
    {
        var branch = n as Branch;
        for (int i = 0; i < n.Count; i++)
        {
            ulong min = n.Mins[i], max = n.Maxs[i];
            if (max < c.WindowStart)
            {
                c.Passed(max);
                continue;
            }
            if (min > c.WindowLast || !c.TryHoleStart(out ulong holeStart))
            {
                c.Stop = true;
                return false;
            }
            if (branch == null)
            {
                // An entry: the hole before it, if it is large enough and fits.
                if (min > holeStart && min - holeStart >= c.MinSize && fit.TryFit(holeStart, min - 1, out c.Result))
                    return true;
                c.Passed(max);
                continue;
            }
            // A child: skip it when neither the hole before it nor any gap inside it is large enough.
            ulong leadingGap = min > holeStart ? min - holeStart : 0;
            if (leadingGap < c.MinSize && n.Gaps[i] < c.MinSize)
            {
                c.Passed(max);
                continue;
            }
            if (Walk(branch.Kids[i]!, ref c, ref fit))
                return true;
            if (c.Stop)
                return false;
        }
        return false;
    }

    // ---- search within a node ------------------------------------------------------------------

    /// <summary>The last slot whose start is at or below <paramref name="key"/>, or -1.</summary>
    private static int LastAtOrBelow(Node n, ulong key)
    {
        int lo = 0, hi = n.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (n.Mins[mid] <= key) lo = mid + 1;
            else hi = mid;
        }
        return lo - 1;
    }

    /// <summary>The first slot whose end is at or above <paramref name="key"/>, or Count.</summary>
    private static int FirstMaxAtOrAbove(Node n, ulong key)
    {
        int lo = 0, hi = n.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (n.Maxs[mid] < key) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private static IntervalNode? Higher(Node n, ulong key)
    {
        int i = Math.Max(LastAtOrBelow(n, key), 0);
        if (n is Leaf leaf)
        {
            if (i < n.Count && n.Mins[i] <= key)
                i++;
            return i < n.Count ? leaf.Items[i] : null;
        }
        var b = (Branch)n;
        if (i < n.Count && Higher(b.Kids[i]!, key) is { } found)
            return found;
        return i + 1 < n.Count ? Leftmost(b.Kids[i + 1]!) : null;
    }

    private static IntervalNode Leftmost(Node n)
    {
        while (n is Branch b)
            n = b.Kids[0]!;
        return ((Leaf)n).Items[0]!;
    }

    private static void AddAll(Node n, List<IntervalNode> list)
    {
        if (n is Leaf leaf)
        {
            for (int i = 0; i < n.Count; i++)
                list.Add(leaf.Items[i]!);
            return;
        }
        var b = (Branch)n;
        for (int i = 0; i < n.Count; i++)
            AddAll(b.Kids[i]!, list);
    }

    // ---- insert --------------------------------------------------------------------------------

    /// <summary>Inserts below <paramref name="n"/>; returns the new right sibling when n had to split.</summary>
    private static Node? Insert(Node n, IntervalNode item)
    {
        if (n is Leaf leaf)
        {
            Leaf target = leaf;
            Leaf? split = null;
            int at = LastAtOrBelow(leaf, item.Start) + 1;
            if (leaf.Count == Fanout)
            {
                split = (Leaf)Split(leaf, KeepOnSplit(at));
                if (at >= leaf.Count)
                {
                    target = split;
                    at -= leaf.Count;
                }
            }
            ulong before = Between(target, at);
            MakeRoom(target, at);
            target.Mins[at] = item.Start;
            target.Maxs[at] = item.Last;
            target.Items[at] = item;
            Adjust(target, before, Around(target, at));
            return split;
        }

        var b = (Branch)n;
        int i = Math.Max(LastAtOrBelow(b, item.Start), 0);
        Node? kidSplit = Insert(b.Kids[i]!, item);
        ChildChanged(b, i);
        if (kidSplit == null)
            return null;
        Branch target2 = b;
        Branch? split2 = null;
        int slot = i + 1;
        if (b.Count == Fanout)
        {
            split2 = (Branch)Split(b, KeepOnSplit(slot));
            if (slot >= b.Count)
            {
                target2 = split2;
                slot -= b.Count;
            }
        }
        ulong old = Between(target2, slot);
        MakeRoom(target2, slot);
        SetChild(target2, slot, kidSplit);
        Adjust(target2, old, Around(target2, slot));
        return split2;
    }

    /// <summary>How many slots a full node keeps when a slot is inserted at <paramref name="at"/>: half,
    /// or all of them for an append, so IOVAs handed out upwards leave full nodes (and fewer levels) behind.</summary>
    private static int KeepOnSplit(int at) => at == Fanout ? Fanout : Fanout / 2;

    /// <summary>Moves the slots from <paramref name="keep"/> on of a full node into a new right sibling.</summary>
    private static Node Split(Node n, int keep)
    {
        Node right = n is Leaf ? new Leaf() : new Branch();
        MoveSlots(n, keep, right, 0, Fanout - keep);
        right.Count = Fanout - keep;
        ClearSlots(n, keep, Fanout - keep);
        n.Count = keep;
        Recompute(n);
        Recompute(right);
        return right;
    }

    /// <summary>Shifts slots [at, Count) one to the right and counts the new slot.</summary>
    private static void MakeRoom(Node n, int at)
    {
        MoveSlots(n, at, n, at + 1, n.Count - at);
        n.Count++;
    }

    private static void SetChild(Branch b, int i, Node kid)
    {
        b.Kids[i] = kid;
        b.Mins[i] = kid.SubMin;
        b.Maxs[i] = kid.SubMax;
        b.Gaps[i] = kid.MaxGap;
    }

    /// <summary>Refreshes slot i of <paramref name="b"/> after its child changed.</summary>
    private static void ChildChanged(Branch b, int i)
    {
        Node kid = b.Kids[i]!;
        ulong before = Around(b, i);
        b.Mins[i] = kid.SubMin;
        b.Maxs[i] = kid.SubMax;
        b.Gaps[i] = kid.MaxGap;
        Adjust(b, before, Around(b, i));
    }

    // ---- remove --------------------------------------------------------------------------------

    private static void Remove(Node n, ulong start)
    {
        int i = LastAtOrBelow(n, start);
        if (i < 0 || (n is Leaf && n.Mins[i] != start))
            throw new InvalidOperationException("interval to remove is not in the index");
        if (n is Leaf)
        {
            RemoveSlot(n, i);
            return;
        }

        var b = (Branch)n;
        Node kid = b.Kids[i]!;
        Remove(kid, start);
        if (kid.Count == 0)
        {
            RemoveSlot(b, i);
            return;
        }
        ChildChanged(b, i);
        // Keep nodes from thinning out: a small child joins a neighbour that has room for it.
        if (kid.Count < Fanout / 4)
        {
            int left = i > 0 && b.Kids[i - 1]!.Count + kid.Count <= Fanout / 2 ? i - 1
                : i + 1 < b.Count && b.Kids[i + 1]!.Count + kid.Count <= Fanout / 2 ? i : -1;
            if (left >= 0)
                MergeChildren(b, left);
        }
    }

    /// <summary>Moves every slot of child left+1 into child left and drops the emptied child.</summary>
    private static void MergeChildren(Branch b, int left)
    {
        Node l = b.Kids[left]!, r = b.Kids[left + 1]!;
        MoveSlots(r, 0, l, l.Count, r.Count);
        l.Count += r.Count;
        Recompute(l);
        RemoveSlot(b, left + 1);
        ChildChanged(b, left);
    }

    private static void RemoveSlot(Node n, int at)
    {
        ulong before = Around(n, at);
        MoveSlots(n, at + 1, n, at, n.Count - at - 1);
        n.Count--;
        ClearSlots(n, n.Count, 1);
        Adjust(n, before, Between(n, at));
    }

    // ---- slots and gap summaries ---------------------------------------------------------------

    private static void MoveSlots(Node from, int fromAt, Node to, int toAt, int count)
    {
        if (count <= 0)
            return;
        Array.Copy(from.Mins, fromAt, to.Mins, toAt, count);
        Array.Copy(from.Maxs, fromAt, to.Maxs, toAt, count);
        if (from is Leaf lf)
        {
            Array.Copy(lf.Items, fromAt, ((Leaf)to).Items, toAt, count);
            return;
        }
        Array.Copy(((Branch)from).Kids, fromAt, ((Branch)to).Kids, toAt, count);
        Array.Copy(from.Gaps, fromAt, to.Gaps, toAt, count);
    }

    /// <summary>Drops references from unused slots so removed entries can be collected.</summary>
    private static void ClearSlots(Node n, int at, int count)
    {
        if (n is Leaf leaf)
            Array.Clear(leaf.Items, at, count);
        else
            Array.Clear(((Branch)n).Kids, at, count);
    }

    /// <summary>The free addresses between slot i-1 and slot i (0 when either is missing).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Between(Node n, int i) =>
        i >= 1 && i < n.Count ? n.Mins[i] - n.Maxs[i - 1] - 1 : 0;

    /// <summary>The largest gap slot i (an existing slot) takes part in: inside it, before it and after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Around(Node n, int i)
    {
        ulong[] mins = n.Mins, maxs = n.Maxs;
        ulong gap = n.Gaps[i];
        if (i >= 1)
            gap = Math.Max(gap, mins[i] - maxs[i - 1] - 1);
        if (i + 1 < n.Count)
            gap = Math.Max(gap, mins[i + 1] - maxs[i] - 1);
        return gap;
    }

    /// <summary>Updates MaxGap after gaps worth <paramref name="before"/> at most were replaced by gaps
    /// worth <paramref name="after"/> at most: only losing the largest gap needs a rescan.</summary>
    private static void Adjust(Node n, ulong before, ulong after)
    {
        if (after < before && before == n.MaxGap)
            Recompute(n);
        else if (after > n.MaxGap)
            n.MaxGap = after;
    }

    private static void Recompute(Node n)
    {
        ulong gap = 0;
        for (int i = 0; i < n.Count; i++)
            gap = Math.Max(gap, Math.Max(n.Gaps[i], Between(n, i)));
        n.MaxGap = gap;
    }
}
