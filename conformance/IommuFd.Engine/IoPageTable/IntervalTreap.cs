namespace IommuFd.Engine.IoPageTable;

/// <summary>A node of <see cref="IntervalTreap"/>: the closed range [Start, Last]. Subclasses carry
/// the payload (an area, a reserved span), so each entry is one object.</summary>
internal abstract class IntervalNode
{
    public ulong Start;
    public ulong Last;

    internal IntervalNode? Left, Right;
    internal uint Priority;
    internal ulong SubMin;   // Start of the leftmost node of the subtree
    internal ulong SubMax;   // Last of the rightmost node of the subtree
    internal ulong MaxGap;   // most free addresses between two consecutive nodes inside the subtree
}

/// <summary>Tries to place an allocation in a hole; <see cref="IntervalTreap.FindHole{TFit}"/> calls it
/// for every hole, lowest first, that is at least as large as the request.</summary>
internal interface IHoleFit
{
    bool TryFit(ulong holeStart, ulong holeLast, out ulong result);
}

/// <summary>
/// Non-overlapping closed intervals ordered by start: a treap whose nodes also know the largest gap
/// inside their subtree, so lookups, inserts, removals and first-fit hole search are O(log n)
/// (the hole search visits only subtrees that hold a gap large enough).
/// </summary>
internal sealed class IntervalTreap
{
    private IntervalNode? _root;
    private uint _seed = 0x9E3779B9;

    public int Count { get; private set; }

    public void Insert(IntervalNode node)
    {
        node.Left = node.Right = null;
        node.Priority = NextPriority();
        _root = Insert(_root, node);
        Count++;
    }

    /// <summary>Removes the node that starts at <paramref name="node"/>.Start (it must be present).</summary>
    public void Remove(IntervalNode node)
    {
        _root = Remove(_root, node.Start);
        node.Left = node.Right = null;
        Count--;
    }

    /// <summary>The node with the largest start not above <paramref name="key"/>.</summary>
    public IntervalNode? Floor(ulong key)
    {
        IntervalNode? n = _root, best = null;
        while (n != null)
        {
            if (n.Start <= key) { best = n; n = n.Right; }
            else n = n.Left;
        }
        return best;
    }

    /// <summary>The node with the smallest start above <paramref name="key"/>.</summary>
    public IntervalNode? Higher(ulong key)
    {
        IntervalNode? n = _root, best = null;
        while (n != null)
        {
            if (n.Start > key) { best = n; n = n.Left; }
            else n = n.Right;
        }
        return best;
    }

    /// <summary>The lowest node intersecting [start, last].</summary>
    public IntervalNode? FirstIntersecting(ulong start, ulong last)
    {
        // Nodes are disjoint, so Last grows with Start: the first node ending at or after `start`
        // is the only candidate, found in one descent.
        IntervalNode? n = _root, best = null;
        while (n != null)
        {
            if (n.Last >= start) { best = n; n = n.Left; }
            else n = n.Right;
        }
        return best != null && best.Start <= last ? best : null;
    }

    /// <summary>The next node after <paramref name="node"/> that intersects [.., last], in order.</summary>
    public IntervalNode? NextIntersecting(IntervalNode node, ulong last)
    {
        IntervalNode? h = Higher(node.Start);
        return h != null && h.Start <= last ? h : null;
    }

    public IntervalNode? First()
    {
        IntervalNode? n = _root;
        while (n?.Left != null) n = n.Left;
        return n;
    }

    /// <summary>All nodes in ascending order (a snapshot, so callers may modify the tree).</summary>
    public List<IntervalNode> ToList()
    {
        var list = new List<IntervalNode>(Count);
        var stack = new Stack<IntervalNode>();
        IntervalNode? n = _root;
        while (n != null || stack.Count > 0)
        {
            while (n != null) { stack.Push(n); n = n.Left; }
            n = stack.Pop();
            list.Add(n);
            n = n.Right;
        }
        return list;
    }

    /// <summary>
    /// Offers every maximal hole of the tree inside [windowStart, windowLast] that holds at least
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
        // The trailing hole: after the last node that starts inside the window.
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

        /// <summary>Where the next hole starts; false when the previous node reaches the top of the address space.</summary>
        public readonly bool TryHoleStart(out ulong start)
        {
            if (!HasPrev || PrevLast < WindowStart) { start = WindowStart; return true; }
            if (PrevLast == ulong.MaxValue) { start = 0; return false; }
            start = PrevLast + 1;
            return true;
        }
    }

    // Number of addresses in [start, last] saturated to ulong range (the full space counts as MaxValue).
    private static ulong Size(ulong start, ulong last) => last - start == ulong.MaxValue ? ulong.MaxValue : last - start + 1;

    private static bool Walk<TFit>(IntervalNode? n, ref HoleCursor c, ref TFit fit) where TFit : struct, IHoleFit
    {
        if (n == null || c.Stop)
            return false;
        if (n.SubMax < c.WindowStart)
        {
            c.PrevLast = n.SubMax;
            c.HasPrev = true;
            return false;
        }
        if (n.SubMin > c.WindowLast)
        {
            c.Stop = true;
            return false;
        }
        // Skip the subtree when neither its leading gap nor any gap inside it is large enough.
        if (!c.TryHoleStart(out ulong lead))
        {
            c.Stop = true;
            return false;
        }
        ulong leadingGap = n.SubMin > lead ? n.SubMin - lead : 0;
        if (leadingGap < c.MinSize && n.MaxGap < c.MinSize)
        {
            c.PrevLast = n.SubMax;
            c.HasPrev = true;
            return false;
        }

        if (Walk(n.Left, ref c, ref fit))
            return true;
        if (c.Stop)
            return false;
        if (n.Start > c.WindowLast)
        {
            c.Stop = true;
            return false;
        }
        if (n.Last >= c.WindowStart && c.TryHoleStart(out ulong holeStart) && n.Start > holeStart &&
            n.Start - holeStart >= c.MinSize && fit.TryFit(holeStart, n.Start - 1, out c.Result))
            return true;
        c.PrevLast = n.Last;
        c.HasPrev = true;
        return Walk(n.Right, ref c, ref fit);
    }

    private uint NextPriority()
    {
        // xorshift32: deterministic, so runs are reproducible.
        uint x = _seed;
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        _seed = x;
        return x;
    }

    private static IntervalNode Insert(IntervalNode? t, IntervalNode n)
    {
        if (t == null)
        {
            Update(n);
            return n;
        }
        // Reference stores go through the GC write barrier: store a child only when it changed.
        if (n.Start < t.Start)
        {
            IntervalNode left = Insert(t.Left, n);
            if (!ReferenceEquals(left, t.Left)) t.Left = left;
            if (left.Priority > t.Priority) return RotateRight(t);
        }
        else
        {
            IntervalNode right = Insert(t.Right, n);
            if (!ReferenceEquals(right, t.Right)) t.Right = right;
            if (right.Priority > t.Priority) return RotateLeft(t);
        }
        Update(t);
        return t;
    }

    private static IntervalNode? Remove(IntervalNode? t, ulong start)
    {
        if (t == null)
            throw new InvalidOperationException("interval to remove is not in the tree");
        if (start < t.Start)
        {
            IntervalNode? left = Remove(t.Left, start);
            if (!ReferenceEquals(left, t.Left)) t.Left = left;
        }
        else if (start > t.Start)
        {
            IntervalNode? right = Remove(t.Right, start);
            if (!ReferenceEquals(right, t.Right)) t.Right = right;
        }
        else return Merge(t.Left, t.Right);
        Update(t);
        return t;
    }

    private static IntervalNode? Merge(IntervalNode? a, IntervalNode? b)
    {
        if (a == null) return b;
        if (b == null) return a;
        if (a.Priority > b.Priority)
        {
            IntervalNode? right = Merge(a.Right, b);
            if (!ReferenceEquals(right, a.Right)) a.Right = right;
            Update(a);
            return a;
        }
        IntervalNode? left = Merge(a, b.Left);
        if (!ReferenceEquals(left, b.Left)) b.Left = left;
        Update(b);
        return b;
    }

    private static IntervalNode RotateRight(IntervalNode t)
    {
        IntervalNode l = t.Left!;
        t.Left = l.Right;
        l.Right = t;
        Update(t);
        Update(l);
        return l;
    }

    private static IntervalNode RotateLeft(IntervalNode t)
    {
        IntervalNode r = t.Right!;
        t.Right = r.Left;
        r.Left = t;
        Update(t);
        Update(r);
        return r;
    }

    private static void Update(IntervalNode n)
    {
        ulong gap = 0;
        if (n.Left != null)
        {
            n.SubMin = n.Left.SubMin;
            gap = Math.Max(n.Left.MaxGap, n.Start - n.Left.SubMax - 1);
        }
        else n.SubMin = n.Start;
        if (n.Right != null)
        {
            n.SubMax = n.Right.SubMax;
            gap = Math.Max(gap, Math.Max(n.Right.MaxGap, n.Right.SubMin - n.Last - 1));
        }
        else n.SubMax = n.Last;
        n.MaxGap = gap;
    }
}
