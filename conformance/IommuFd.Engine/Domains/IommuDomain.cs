namespace IommuFd.Engine.Domains;

/// <summary>
/// iommu_domain of type UNMANAGED (a paging domain): what io_pagetable needs to know about it. Its
/// translations are not stored: while a domain is in an IOAS's domain list the kernel keeps it filled
/// with exactly the IOAS's areas (iopt_fill_domain / iopt_area_fill_domains / unfill), so the engine
/// reads a domain's mapping from the areas of <see cref="Objects.HwptPaging.Ioas"/>.
/// </summary>
internal sealed class IommuDomain(ulong apertureStart, ulong apertureLast, ulong pgsizeBitmap, bool dirtyOps, bool genericPageTable = false)
{
    /// <summary>geometry.aperture_start.</summary>
    public ulong ApertureStart { get; } = apertureStart;

    /// <summary>geometry.aperture_end (inclusive).</summary>
    public ulong ApertureLast { get; } = apertureLast;

    /// <summary>pgsize_bitmap: the IO page sizes the domain maps with.</summary>
    public ulong PgsizeBitmap { get; } = pgsizeBitmap;

    /// <summary>domain->dirty_ops is set (allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING).</summary>
    public bool DirtyOps { get; } = dirtyOps;

    /// <summary>The entries mapped as part of a larger IO page (MOCK_PFN_HUGE_IOVA).</summary>
    public LargeIoPages Large { get; } = new();

    /// <summary>The mock domain's dirty-tracking flag and per-IO-page dirty bits (6.12's xarray table;
    /// only the flag for a <see cref="Leaves"/> table).</summary>
    public DirtyBits Dirty => _dirty ??= new DirtyBits(Large);

    private DirtyBits? _dirty;

    /// <summary>7.3's generic page table: its leaves and dirty items (null for 6.12's mock table).</summary>
    public PageTableLeaves? Leaves { get; } = genericPageTable ? new PageTableLeaves() : null;

    /// <summary>The driver's read_and_clear_dirty over [<paramref name="iova"/>, +<paramref name="length"/>)
    /// of mapped IOVA. 7.3's generic table neither looks at the tracking flag nor fails.</summary>
    public int ReadAndClearDirty(ulong iova, ulong length, bool noClear, IovaBitmap? bitmap)
    {
        if (Leaves == null)
            return Dirty.ReadAndClear(iova, length, noClear, bitmap);
        Leaves.ReadAndClear(iova, length, noClear, bitmap);
        return 0;
    }

    /// <summary>The smallest IO page size above <see cref="MinPageSize"/> (the mock's 1 MiB with
    /// MOCK_FLAGS_DEVICE_HUGE_IOVA), or 0 when the domain maps only one size.</summary>
    public ulong LargePageSize
    {
        get
        {
            ulong rest = PgsizeBitmap & ~MinPageSize;
            return rest & (~rest + 1);
        }
    }

    /// <summary>1UL &lt;&lt; __ffs(pgsize_bitmap): the smallest IO page, which drives iova_alignment.</summary>
    public ulong MinPageSize => PgsizeBitmap & (~PgsizeBitmap + 1);
}
