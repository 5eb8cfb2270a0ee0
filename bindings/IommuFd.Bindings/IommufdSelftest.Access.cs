using IommuFd.Bindings.Internal;
using IommuFd.Interop;

namespace IommuFd.Bindings;

// The selftest's access objects: an fd standing for an in-kernel user (an emulated device) that pins
// pages and reads/writes through an IOAS.
public sealed partial class IommufdSelftest
{
    /// <summary>Creates an access object attached to <paramref name="ioas"/> and returns its fd
    /// (IOMMU_TEST_OP_CREATE_ACCESS). <paramref name="flags"/>: MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES.
    /// Closing the fd unpins everything and destroys the access.</summary>
    public IommuFdHandle CreateAccess(IoasId ioas, uint flags = 0)
    {
        Results.ThrowIfFailed(TryCreateAccess(ioas, flags, out IommuFdHandle? access), Cmd + nameof(IommufdTest.IOMMU_TEST_OP_CREATE_ACCESS));
        return access!;
    }

    /// <summary>IOMMU_TEST_OP_CREATE_ACCESS, returning the errno.</summary>
    public Errno TryCreateAccess(IoasId ioas, uint flags, out IommuFdHandle? access)
    {
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_CREATE_ACCESS, id = ioas.Value };
        cmd.create_access.flags = flags;
        Errno errno = TryCommand(ref cmd);
        access = errno == Errno.None ? new IommuFdHandle(Context.Backend, (int)cmd.create_access.out_access_fd) : null;
        return errno;
    }

    /// <summary>Pins [<paramref name="iova"/>, +<paramref name="length"/>) through the access (IOMMU_TEST_OP_ACCESS_PAGES);
    /// with <paramref name="userVa"/> ≠ 0 the kernel checks the pinned pages are those of that memory.
    /// Returns the pin's id for <see cref="DestroyAccessPages"/>.</summary>
    public uint AccessPages(IommuFdHandle access, ulong iova, ulong length, ulong userVa = 0, uint flags = 0)
    {
        Results.ThrowIfFailed(TryAccessPages(access, iova, length, userVa, flags, out uint pagesId),
                              Cmd + nameof(IommufdTest.IOMMU_TEST_OP_ACCESS_PAGES));
        return pagesId;
    }

    /// <summary>IOMMU_TEST_OP_ACCESS_PAGES, returning the errno.</summary>
    public Errno TryAccessPages(IommuFdHandle access, ulong iova, ulong length, ulong userVa, uint flags, out uint pagesId)
    {
        ArgumentNullException.ThrowIfNull(access);
        using IommuFdHandle.FdLease accessFd = access.Borrow();
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_ACCESS_PAGES, id = (uint)accessFd.Fd };
        cmd.access_pages.flags = flags;
        cmd.access_pages.iova = iova;
        cmd.access_pages.length = length;
        cmd.access_pages.uptr = userVa;
        Errno errno = TryCommand(ref cmd);
        pagesId = errno == Errno.None ? cmd.access_pages.out_access_pages_id : 0;
        return errno;
    }

    /// <summary>Unpins a pin made by <see cref="AccessPages"/> (IOMMU_TEST_OP_DESTROY_ACCESS_PAGES): ENOENT when
    /// the id is unknown, also after the kernel dropped it because its IOVA was unmapped.</summary>
    public void DestroyAccessPages(IommuFdHandle access, uint pagesId) =>
        Results.ThrowIfFailed(TryDestroyAccessPages(access, pagesId), Cmd + nameof(IommufdTest.IOMMU_TEST_OP_DESTROY_ACCESS_PAGES));

    /// <summary>IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, returning the errno.</summary>
    public Errno TryDestroyAccessPages(IommuFdHandle access, uint pagesId)
    {
        ArgumentNullException.ThrowIfNull(access);
        using IommuFdHandle.FdLease accessFd = access.Borrow();
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, id = (uint)accessFd.Fd };
        cmd.destroy_access_pages.access_pages_id = pagesId;
        return TryCommand(ref cmd);
    }

    /// <summary>Reads IOVA memory into <paramref name="buffer"/> through the access (IOMMU_TEST_OP_ACCESS_RW).</summary>
    public void AccessRead(IommuFdHandle access, ulong iova, Span<byte> buffer, uint flags = 0) =>
        Results.ThrowIfFailed(TryAccessRw(access, iova, buffer, flags & ~(uint)IommufdTest.MOCK_ACCESS_RW_WRITE),
                              Cmd + nameof(IommufdTest.IOMMU_TEST_OP_ACCESS_RW));

    /// <summary>Writes <paramref name="data"/> to IOVA memory through the access (IOMMU_TEST_OP_ACCESS_RW with MOCK_ACCESS_RW_WRITE).</summary>
    public void AccessWrite(IommuFdHandle access, ulong iova, ReadOnlySpan<byte> data, uint flags = 0)
    {
        // The kernel only reads the buffer for a write; the cast to a writable span never writes.
        Span<byte> buffer = System.Runtime.InteropServices.MemoryMarshal.CreateSpan(
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(data), data.Length);
        Results.ThrowIfFailed(TryAccessRw(access, iova, buffer, flags | (uint)IommufdTest.MOCK_ACCESS_RW_WRITE),
                              Cmd + nameof(IommufdTest.IOMMU_TEST_OP_ACCESS_RW));
    }

    /// <summary>IOMMU_TEST_OP_ACCESS_RW with the flags exactly as given, returning the errno.</summary>
    public unsafe Errno TryAccessRw(IommuFdHandle access, ulong iova, Span<byte> buffer, uint flags)
    {
        ArgumentNullException.ThrowIfNull(access);
        fixed (byte* data = buffer)
        {
            using IommuFdHandle.FdLease accessFd = access.Borrow();
            var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_ACCESS_RW, id = (uint)accessFd.Fd };
            cmd.access_rw.iova = iova;
            cmd.access_rw.length = (ulong)buffer.Length;
            cmd.access_rw.uptr = (ulong)data;
            cmd.access_rw.flags = flags;
            return TryCommand(ref cmd);
        }
    }

    /// <summary>Moves the access to <paramref name="ioas"/> (IOMMU_TEST_OP_ACCESS_REPLACE_IOAS).</summary>
    public void AccessReplaceIoas(IommuFdHandle access, IoasId ioas) =>
        Results.ThrowIfFailed(TryAccessReplaceIoas(access, ioas), Cmd + nameof(IommufdTest.IOMMU_TEST_OP_ACCESS_REPLACE_IOAS));

    /// <summary>IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, returning the errno.</summary>
    public Errno TryAccessReplaceIoas(IommuFdHandle access, IoasId ioas)
    {
        ArgumentNullException.ThrowIfNull(access);
        using IommuFdHandle.FdLease accessFd = access.Borrow();
        var cmd = new iommu_test_cmd { op = (uint)IommufdTest.IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, id = (uint)accessFd.Fd };
        cmd.access_replace_ioas.ioas_id = ioas.Value;
        return TryCommand(ref cmd);
    }
}
