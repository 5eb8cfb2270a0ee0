namespace IommuFd.Engine.IoPageTable;

/// <summary>How pinned pages are charged (iopt_pages.account_mode).</summary>
internal enum AccountMode : byte { None, User, Mm }

/// <summary>
/// iopt_pages: one MAP's user memory, shared by every area that COPY derives from it. Part 1 never
/// pins (no domain, no access), so it only records what pinning will need later.
/// </summary>
internal sealed class Pages
{
    public Pages(ulong uptr, ulong npages, bool writable, AccountMode accountMode)
    {
        Uptr = uptr;
        NPages = npages;
        Writable = writable;
        AccountMode = accountMode;
        RefCount = 1;
    }

    /// <summary>User VA of the first page, aligned down to PAGE_SIZE.</summary>
    public ulong Uptr { get; }
    public ulong NPages { get; }
    public bool Writable { get; }
    public AccountMode AccountMode { get; set; }

    /// <summary>kref: one per area using the pages plus transient holders (a COPY in flight).</summary>
    public int RefCount;
}
