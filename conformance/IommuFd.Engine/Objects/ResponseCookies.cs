namespace IommuFd.Engine.Objects;

/// <summary>
/// The cookies of fault->response, an XA_FLAGS_ALLOC1 xarray: lowest free index, 0 kept busy by a
/// zero entry while the array has a node. A response naming cookie 0 while any cookie is out erases
/// that zero entry (xa_erase finds it, returns NULL: EINVAL), and from then on 0 is an ordinary free
/// index: the array never gets its zero entry back (emptying it leaves the free mark on 0).
/// </summary>
internal sealed class ResponseCookies
{
    private readonly IdAllocator _ids = new(uint.MaxValue); // 1..U32_MAX, lowest first
    private bool _zeroReserved = true;
    private bool _zeroInUse;

    /// <summary>xa_alloc with xa_limit_32b.</summary>
    public uint Allocate()
    {
        if (!_zeroReserved && !_zeroInUse)
        {
            _zeroInUse = true;
            return 0;
        }
        _ids.TryAllocate(out uint cookie);
        return cookie;
    }

    /// <summary>xa_erase of a cookie in use.</summary>
    public void Free(uint cookie)
    {
        if (cookie == 0)
            _zeroInUse = false;
        else
            _ids.Free(cookie);
    }

    /// <summary>xa_erase of a cookie not in use (the write of an unknown cookie): only cookie 0 with
    /// other cookies out has an effect, it frees index 0 for good.</summary>
    public void EraseUnused(uint cookie, bool othersOut)
    {
        if (cookie == 0 && othersOut)
            _zeroReserved = false;
    }
}
