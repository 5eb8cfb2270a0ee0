namespace IommuFd.Engine.IoPageTable;

/// <summary>How pinned pages are charged (iopt_pages.account_mode).</summary>
internal enum PagesAccountMode : byte { None, User, Mm }

/// <summary>
/// iopt_pages: one MAP's user memory, shared by every area that COPY derives from it. A page is
/// pinned (once, whatever the number of domains or areas) while at least one area stored in a
/// domain or one access pin covers it; otherwise nothing is pinned and <c>user_va</c> is never touched.
/// The pages belong to the mm that mapped them (<see cref="Mm"/>, source_mm): pins read that mm.
/// </summary>
internal sealed class Pages
{
    // Page index → number of domain-backed areas covering it; a page is pinned while its count is > 0.
    // Made at the first pin: most pages objects (no domain attached) never pin anything.
    private Dictionary<ulong, int>? _coverage;

    // Another process's pinned pages, copied at pin time (see PinnedFrames).
    private readonly PinnedFrames? _frames;

    public Pages(ulong uptr, ulong npages, bool writable, PagesAccountMode accountMode, UserMm mm, MappedFile? file = null)
    {
        Mm = mm;
        File = file;
        if (mm != UserMm.Self && file == null)
            _frames = new PinnedFrames(mm);
        Uptr = uptr;
        NPages = npages;
        Writable = writable;
        AccountMode = accountMode;
        RefCount = 1;
    }

    /// <summary>User VA of the first page, aligned down to PAGE_SIZE; for a file, the file offset of
    /// the first page (pages->start).</summary>
    public ulong Uptr { get; }
    public ulong NPages { get; }
    public bool Writable { get; }
    public PagesAccountMode AccountMode { get; set; }

    /// <summary>source_mm: the mm of the process that mapped them (for a file, the one charged for
    /// them, which IOMMU_IOAS_CHANGE_PROCESS moves).</summary>
    public UserMm Mm { get; set; }

    /// <summary>The file of IOPT_ADDRESS_FILE pages, or null for user memory.</summary>
    public MappedFile? File { get; }

    // Whose page an address names in the pin counts: the file's, or the mm's.
    private object PinOwner => File is { } file ? file.Id : Mm;

    /// <summary>kref_put: the last reference drops the file (fput).</summary>
    public void Put()
    {
        if (--RefCount == 0)
            File?.Dispose();
    }

    /// <summary>Whether pages [first, first+count) can be pinned: pin_user_pages in the mm (EFAULT), or
    /// memfd_pin_folios of the file (EINVAL).</summary>
    public int CheckPinnable(ulong first, ulong count, ulong pageSize) =>
        File is { } file
            ? file.CheckPinnable(Uptr + first * pageSize, count * pageSize)
            : ProcessMappings.CheckPinnable(Mm, Uptr + first * pageSize, count * pageSize, Writable);

    /// <summary>How the pin counts and the selftest's page checks name page <paramref name="index"/>.</summary>
    public PageName NameOf(ulong index, ulong pageSize) => new(File?.Id, Uptr + index * pageSize);

    /// <summary>kref: one per area using the pages plus transient holders (a COPY in flight).</summary>
    public int RefCount;

    /// <summary>npinned: pages of this object currently pinned.</summary>
    public ulong PinnedPages => (ulong)(_coverage?.Count ?? 0);

    /// <summary>True while page <paramref name="index"/> is pinned (a domain or an access covers it).</summary>
    public bool IsPinned(ulong index) => _coverage?.ContainsKey(index) == true;

    /// <summary>A domain-backed area (or an access) now covers pages [first, last]: pins those not pinned yet
    /// (pin_user_pages: EFAULT when the memory is not there or not writable for a writable map;
    /// then the RLIMIT_MEMLOCK charge: ENOMEM). All or nothing.</summary>
    public int Pin(PinRegistry registry, ulong first, ulong last, ulong pageSize)
    {
        _coverage ??= [];
        ulong fresh = 0;
        for (ulong i = first; i <= last; i++)
        {
            if (_coverage.ContainsKey(i))
                continue;
            // Check each run of not-yet-pinned pages against the process's mappings.
            ulong runEnd = i;
            while (runEnd < last && !_coverage.ContainsKey(runEnd + 1))
                runEnd++;
            int rc = CheckPinnable(i, runEnd - i + 1, pageSize);
            if (rc != 0)
                return rc;
            fresh += runEnd - i + 1;
            i = runEnd;
        }
        int charge = registry.Charge(AccountMode, fresh, pageSize);
        if (charge != 0)
            return charge;
        for (ulong i = first; i <= last; i++)
        {
            int n = _coverage.GetValueOrDefault(i);
            if (n == 0)
            {
                registry.Pin(PinOwner, Uptr + i * pageSize);
                _frames?.Capture(Uptr + i * pageSize, pageSize);
            }
            _coverage[i] = n + 1;
        }
        return 0;
    }

    /// <summary>Undoes one <see cref="Pin"/> of [first, last]; pages nothing covers any more are unpinned.</summary>
    public void Unpin(PinRegistry registry, ulong first, ulong last, ulong pageSize)
    {
        if (_coverage is null)
            return;
        ulong released = 0;
        for (ulong i = first; i <= last; i++)
        {
            int n = _coverage.GetValueOrDefault(i);
            if (n <= 1)
            {
                if (n == 1)
                {
                    _coverage.Remove(i);
                    registry.Unpin(PinOwner, Uptr + i * pageSize);
                    _frames?.Release(Uptr + i * pageSize);
                    released++;
                }
            }
            else
                _coverage[i] = n - 1;
        }
        registry.Uncharge(AccountMode, released);
    }

    /// <summary>Copies [address, address+data.Length) of these pages to or from <paramref name="data"/>
    /// through their mm (a file's through the file); pages of a gone process that are pinned still answer
    /// from their frames. Bytes copied from the start, or -1.</summary>
    public long Transfer(Span<byte> data, ulong address, bool write, ulong pageSize) =>
        File is { } file ? file.Transfer(data, address, write)
        : _frames is null ? Mm.Transfer(data, address, write) : _frames.Transfer(data, address, write, pageSize);
}
