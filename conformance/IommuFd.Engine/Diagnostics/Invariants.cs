using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine.Diagnostics;

/// <summary>Structural checks of a context, for tests: areas ordered and disjoint, counts right,
/// every pages refcount equal to the areas that use it, IDs consistent.</summary>
internal static class Invariants
{
    public static List<string> Check(IommufdContext ctx)
    {
        var problems = new List<string>();
        lock (ctx.Lock)
        {
            var pageRefs = new Dictionary<Pages, int>(ReferenceEqualityComparer.Instance);
            var seenIds = new HashSet<uint>();
            foreach (IommufdObject obj in ctx.Objects.Snapshot())
            {
                if (obj.Id == 0 || obj.Id > ObjectTable.Limit || !seenIds.Add(obj.Id))
                    problems.Add($"bad or duplicate id {obj.Id}");
                if (obj.Users < 1)
                    problems.Add($"object {obj.Id} published with users {obj.Users}");
                CheckUsers(ctx, obj, problems);
                if (obj is not Ioas ioas)
                    continue;
                List<IntervalNode> nodes = ioas.Iopt.AllNodes();
                int areas = 0;
                for (int i = 0; i < nodes.Count; i++)
                {
                    IntervalNode n = nodes[i];
                    if (n.Last < n.Start)
                        problems.Add($"ioas {obj.Id}: node [{n.Start:x},{n.Last:x}] inverted");
                    if (i > 0 && nodes[i - 1].Last >= n.Start)
                        problems.Add($"ioas {obj.Id}: [{nodes[i - 1].Start:x},{nodes[i - 1].Last:x}] overlaps [{n.Start:x},{n.Last:x}]");
                    if (n is Area a)
                    {
                        areas++;
                        if (a.Pages == null)
                            problems.Add($"ioas {obj.Id}: tombstone at rest [{a.Start:x},{a.Last:x}]");
                        else
                        {
                            if (ioas.Iopt.DomainCount != 0 && a.Pages.PinnedPages == 0)
                                problems.Add($"ioas {obj.Id}: area [{a.Start:x},{a.Last:x}] in a domain but not pinned");
                            pageRefs[a.Pages] = pageRefs.GetValueOrDefault(a.Pages) + 1;
                            if (a.StartByte + a.Length > a.Pages.NPages * ctx.Platform.PageSize)
                                problems.Add($"ioas {obj.Id}: area [{a.Start:x},{a.Last:x}] runs past its pages");
                        }
                        if ((a.Start & (ioas.Iopt.IovaAlignment - 1)) != 0 || (a.Length & (ioas.Iopt.IovaAlignment - 1)) != 0)
                            problems.Add($"ioas {obj.Id}: area [{a.Start:x},{a.Last:x}] misaligned");
                    }
                }
                if (areas != ioas.Iopt.AreaCount)
                    problems.Add($"ioas {obj.Id}: AreaCount {ioas.Iopt.AreaCount} but {areas} areas");
            }
            foreach ((Pages pages, int refs) in pageRefs)
                if (pages.RefCount != refs)
                    problems.Add($"pages at {pages.Uptr:x}: refcount {pages.RefCount}, used by {refs} areas");
        }
        return problems;
    }

    // The users counts the object graph implies: the table's own, plus one per holder.
    private static void CheckUsers(IommufdContext ctx, IommufdObject obj, List<string> problems)
    {
        List<IommufdObject> all = ctx.Objects.Snapshot();
        int expected = obj switch
        {
            Ioas ioas => 1 + ioas.Hwpts.Count + all.OfType<Access>().Count(a => a.Ioas == ioas),
            Access => 2, // the table's and the driver's (the access fd)
            HwptPaging hwpt => 1 + all.OfType<Device>().Count(d => d.Hwpt == hwpt)
                + all.OfType<HwptNested>().Count(n => n.Parent == hwpt && n.Viommu == null) + all.OfType<Viommu>().Count(v => v.Hwpt == hwpt),
            HwptNested nested => 1 + all.OfType<Device>().Count(d => d.Hwpt == nested),
            Device dev => 2 + (dev.Hwpt != null ? 1 : 0) + (dev.Vdev != null ? 1 : 0),
            Viommu viommu => 1 + all.OfType<HwptNested>().Count(n => n.Viommu == viommu) + viommu.Vdevs.Count
                + viommu.Veventqs.Count + all.OfType<HwQueue>().Count(q => q.Viommu == viommu),
            HwQueue queue => 1 + all.OfType<HwQueue>().Count(q => q.Prev == queue),
            SelftestDevice => 1,
            _ => obj.Users,
        };
        if (obj is HwptPaging { InIoas: false } || obj is HwptPaging h && !h.Ioas.Iopt.Domains.Contains(h.Domain))
            problems.Add($"hwpt {obj.Id}: domain not in its IOAS");
        if (obj.Users != expected && obj is not EventQueue) // an event queue's fd holds it too
            problems.Add($"object {obj.Id} ({obj.Type}): users {obj.Users}, expected {expected}");
    }
}
