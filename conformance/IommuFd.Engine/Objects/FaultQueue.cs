namespace IommuFd.Engine.Objects;

/// <summary>
/// iommufd_fault: page requests wait on the deliver list until the fault fd's read hands them out
/// with a cookie; they then wait in the response table until the user writes a response for the
/// cookie, or until the attachment they came through ends (answered automatically). What the device
/// is answered is invisible to the user, so the engine only tracks which requests are pending.
/// </summary>
internal sealed class FaultQueue() : EventQueue<PageRequest>(ObjectType.Fault)
{
    private const int ResponseSize = 8; // sizeof(struct iommu_hwpt_page_response)
    private const uint RespSuccess = 0, RespInvalid = 1; // IOMMUFD_PAGE_RESP_*

    private readonly Dictionary<uint, PageRequest> _response = [];
    private readonly ResponseCookies _cookies = new();

    /// <summary>Requests not read yet (the fd polls readable while this is non-zero).</summary>
    public int Undelivered => Pending.Count;

    /// <summary>Requests read and waiting for a response.</summary>
    public int AwaitingResponse => _response.Count;

    /// <summary>iommufd_fault_iopf_handler: queues a request for reading.</summary>
    public void Deliver(PageRequest request) => Pending.AddLast(request);

    /// <summary>iommufd_fault_fops_read: an anon-inode file without FMODE_PREAD, and only whole records
    /// (ESPIPE otherwise); then whole groups, oldest first, each given the lowest free cookie (from 1;
    /// see <see cref="ResponseCookies"/> for 0); EINVAL when the first does not fit, 0 when none waits.</summary>
    public override long Read(Span<byte> buffer, long offset) =>
        offset >= 0 || buffer.Length % PageRequest.RecordSize != 0 ? -Errno.ESPIPE : ReadRecords(buffer);

    protected override int Emit(PageRequest request, Span<byte> room)
    {
        if (PageRequest.RecordSize > room.Length)
            return -Errno.EINVAL;
        uint cookie = _cookies.Allocate();
        request.Cookie = cookie;
        _response.Add(cookie, request);
        request.Compose(room);
        return PageRequest.RecordSize;
    }

    /// <summary>iommufd_fault_fops_write: whole responses (ESPIPE otherwise, as for reads), one by one;
    /// the first bad one (a code other than SUCCESS/INVALID, or a cookie not handed out) stops the loop,
    /// with EINVAL if it is the first, else the bytes of the responses before it.</summary>
    public override long Write(ReadOnlySpan<byte> buffer, long offset)
    {
        if (offset >= 0 || buffer.Length % ResponseSize != 0)
            return -Errno.ESPIPE;
        int done = 0;
        while (buffer.Length > done)
        {
            uint cookie = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(buffer[done..]);
            uint code = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(buffer[(done + 4)..]);
            if (code != RespSuccess && code != RespInvalid)
                return done == 0 ? -Errno.EINVAL : done;
            if (!_response.Remove(cookie))
            {
                _cookies.EraseUnused(cookie, othersOut: _response.Count != 0);
                return done == 0 ? -Errno.EINVAL : done;
            }
            _cookies.Free(cookie);
            done += ResponseSize;
        }
        return done;
    }

    /// <summary>iommufd_auto_response_faults: the attachment <paramref name="handle"/> ends, so its
    /// requests, read or not, are answered INVALID and their cookies freed.</summary>
    public void AutoRespond(AttachHandle handle)
    {
        for (LinkedListNode<PageRequest>? node = Pending.First; node != null;)
        {
            LinkedListNode<PageRequest>? next = node.Next;
            if (node.Value.Handle == handle)
                Pending.Remove(node);
            node = next;
        }
        foreach ((uint cookie, PageRequest request) in _response.ToArray())
        {
            if (request.Handle != handle)
                continue;
            _response.Remove(cookie);
            _cookies.Free(cookie);
        }
    }

    /// <summary>iommufd_fault_destroy: every pending request is answered INVALID.</summary>
    public override void Destroy()
    {
        Pending.Clear();
        _response.Clear();
    }
}
