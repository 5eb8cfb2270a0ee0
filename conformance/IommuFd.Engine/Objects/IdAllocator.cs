namespace IommuFd.Engine.Objects;

/// <summary>xa_alloc on an XA_FLAGS_ALLOC1 xarray: always the lowest free ID in [1, limit].</summary>
internal sealed class IdAllocator(uint limit)
{
    private readonly SortedSet<uint> _freed = [];
    private uint _next = 1; // every ID below this is in use or in _freed

    /// <summary>The lowest free ID, or false when [1, limit] is full (xa_alloc's -EBUSY).</summary>
    public bool TryAllocate(out uint id)
    {
        if (_freed.Count > 0)
        {
            id = _freed.Min;
            _freed.Remove(id);
            return true;
        }
        if (_next > limit || _next == 0)
        {
            id = 0;
            return false;
        }
        id = _next++;
        return true;
    }

    public void Free(uint id)
    {
        if (id == _next - 1)
        {
            // Shrink the high-water mark so the freed set stays small.
            _next--;
            while (_freed.Count > 0 && _freed.Max == _next - 1)
            {
                _freed.Remove(_freed.Max);
                _next--;
            }
        }
        else
            _freed.Add(id);
    }
}
