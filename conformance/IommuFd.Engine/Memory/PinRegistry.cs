using System.Runtime.InteropServices;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.Engine.Memory;

/// <summary>
/// The machine-wide side of pinning for one engine: how many long-term pins each user page holds
/// (page_ref_count / GUP_PIN_COUNTING_BIAS, which IOMMU_TEST_OP_MD_CHECK_REFS compares) and the
/// locked-page counts that RLIMIT_MEMLOCK accounting charges. Pages are named by their mm and user VA,
/// or a file's by the file and offset (<see cref="PageName"/>): the engine has no physical pages, so two
/// VAs aliasing one page count separately.
/// </summary>
internal sealed partial class PinRegistry
{
    private const int RlimitMemlock = 8;
    private readonly Dictionary<(object Owner, ulong Address), int> _pins = [];
    private readonly Lock _lock = new();
    private ulong _userLocked, _mmLocked;

    /// <summary>Long-term pins on the page at <paramref name="pageVa"/> of the current mm.</summary>
    public int Pins(ulong pageVa)
    {
        lock (_lock) return _pins.GetValueOrDefault((UserMm.Current, pageVa));
    }

    /// <summary>Long-term pins on the page at <paramref name="offset"/> of <paramref name="file"/>.</summary>
    public int Pins(FileIdentity file, ulong offset)
    {
        lock (_lock) return _pins.GetValueOrDefault((file, offset));
    }

    /// <summary>One more pin on a page: <paramref name="owner"/> is its mm (address a user VA) or its
    /// file's <see cref="FileIdentity"/> (address a file offset).</summary>
    public void Pin(object owner, ulong address)
    {
        lock (_lock) _pins[(owner, address)] = _pins.GetValueOrDefault((owner, address)) + 1;
    }

    public void Unpin(object owner, ulong address)
    {
        lock (_lock)
        {
            int n = _pins.GetValueOrDefault((owner, address)) - 1;
            if (n <= 0) _pins.Remove((owner, address));
            else _pins[(owner, address)] = n;
        }
    }

    /// <summary>incr_user_locked_vm / __account_locked_vm: ENOMEM past RLIMIT_MEMLOCK (in pages).</summary>
    public int Charge(IoPageTable.PagesAccountMode mode, ulong npages, ulong pageSize)
    {
        if (mode == IoPageTable.PagesAccountMode.None || npages == 0)
            return 0;
        ulong limit = MemlockLimit() / pageSize;
        lock (_lock)
        {
            ref ulong locked = ref mode == IoPageTable.PagesAccountMode.User ? ref _userLocked : ref _mmLocked;
            if (locked + npages > limit)
                return -Errno.ENOMEM;
            locked += npages;
            return 0;
        }
    }

    public void Uncharge(IoPageTable.PagesAccountMode mode, ulong npages)
    {
        if (mode == IoPageTable.PagesAccountMode.None)
            return;
        lock (_lock)
        {
            ref ulong locked = ref mode == IoPageTable.PagesAccountMode.User ? ref _userLocked : ref _mmLocked;
            locked -= Math.Min(locked, npages);
        }
    }

    private static ulong MemlockLimit()
    {
        Span<ulong> rlim = stackalloc ulong[2];
        return getrlimit(RlimitMemlock, ref MemoryMarshal.GetReference(rlim)) == 0 ? rlim[0] : ulong.MaxValue;
    }
}
