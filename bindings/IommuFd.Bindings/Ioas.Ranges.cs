using IommuFd.Bindings.Internal;
using IommuFd.Interop;

namespace IommuFd.Bindings;

// IOVA ranges, allowed IOVAs and the huge-pages option.
public sealed partial class Ioas
{
    /// <summary>The usable IOVA ranges and the alignment (IOMMU_IOAS_IOVA_RANGES). Follows the kernel's
    /// two-call protocol: when the buffer is too small the kernel answers EMSGSIZE with the count it
    /// needs, and the call is repeated with a buffer of that size.</summary>
    public IovaRanges GetIovaRanges()
    {
        var buffer = new iommu_iova_range[4];
        for (int attempt = 0; ; attempt++)
        {
            Errno errno = TryGetIovaRanges(buffer, out int total, out ulong alignment);
            if (errno == Errno.EMSGSIZE && total > buffer.Length && attempt < 8)
            {
                // The ranges may have changed between the calls: ask again with what is needed now.
                buffer = new iommu_iova_range[total];
                continue;
            }
            Results.ThrowIfFailed(errno, nameof(Iommufd.IOMMU_IOAS_IOVA_RANGES));
            var ranges = new IovaRange[total];
            for (int i = 0; i < total; i++)
                ranges[i] = new IovaRange(buffer[i].start, buffer[i].last);
            return new IovaRanges(ranges, alignment);
        }
    }

    /// <summary>One IOMMU_IOAS_IOVA_RANGES call: fills <paramref name="ranges"/> with up to its length of
    /// ranges. <paramref name="total"/> is the kernel's count of all ranges, also on EMSGSIZE (buffer too small).</summary>
    public unsafe Errno TryGetIovaRanges(Span<iommu_iova_range> ranges, out int total, out ulong alignment)
    {
        fixed (iommu_iova_range* buffer = ranges)
        {
            var arg = new iommu_ioas_iova_ranges
            {
                ioas_id = Id.Value,
                num_iovas = (uint)ranges.Length,
                allowed_iovas = (ulong)buffer,
            };
            int rc;
            using (IommuFdHandle.FdLease fd = Context.Handle.Borrow())
                rc = IommufdIoctls.IOMMU_IOAS_IOVA_RANGES(Context.Backend, fd.Fd, ref arg);
            Errno errno = ErrnoNames.FromResult(rc);
            // On EMSGSIZE the kernel has already written the struct back with the needed count.
            bool written = errno is Errno.None or Errno.EMSGSIZE;
            total = written ? checked((int)arg.num_iovas) : 0;
            alignment = written ? arg.out_iova_alignment : 0;
            return errno;
        }
    }

    /// <summary>Restricts automatic IOVA allocation to <paramref name="ranges"/>; an empty list lifts the
    /// restriction (IOMMU_IOAS_ALLOW_IOVAS).</summary>
    public void AllowIovas(ReadOnlySpan<IovaRange> ranges) =>
        Results.ThrowIfFailed(TryAllowIovas(ranges), nameof(Iommufd.IOMMU_IOAS_ALLOW_IOVAS));

    /// <summary>IOMMU_IOAS_ALLOW_IOVAS, returning the errno on failure.</summary>
    public unsafe Errno TryAllowIovas(ReadOnlySpan<IovaRange> ranges)
    {
        // IovaRange is not the C struct: copy into one (on the stack for the usual few ranges).
        Span<iommu_iova_range> native = ranges.Length <= 16
            ? stackalloc iommu_iova_range[ranges.Length]
            : new iommu_iova_range[ranges.Length];
        for (int i = 0; i < ranges.Length; i++)
            native[i] = new iommu_iova_range { start = ranges[i].Start, last = ranges[i].Last };
        fixed (iommu_iova_range* buffer = native)
        {
            var arg = new iommu_ioas_allow_iovas
            {
                ioas_id = Id.Value,
                num_iovas = (uint)ranges.Length,
                allowed_iovas = (ulong)buffer,
            };
            using IommuFdHandle.FdLease fd = Context.Handle.Borrow();
            return ErrnoNames.FromResult(IommufdIoctls.IOMMU_IOAS_ALLOW_IOVAS(Context.Backend, fd.Fd, ref arg));
        }
    }

    /// <summary>Whether the IOAS may use large IOPTEs (IOMMU_OPTION_HUGE_PAGES, GET); true by default.</summary>
    public bool GetHugePages()
    {
        Results.ThrowIfFailed(TryGetHugePages(out bool enabled), nameof(Iommufd.IOMMU_OPTION));
        return enabled;
    }

    /// <summary>IOMMU_OPTION_HUGE_PAGES GET, returning the errno on failure.</summary>
    public Errno TryGetHugePages(out bool enabled)
    {
        ulong value = 0;
        Errno errno = Context.TryOption((uint)Iommufd.IOMMU_OPTION_HUGE_PAGES, (ushort)Iommufd.IOMMU_OPTION_OP_GET, Id.Value, ref value);
        enabled = value != 0;
        return errno;
    }

    /// <summary>Allows or forbids large IOPTEs (IOMMU_OPTION_HUGE_PAGES, SET). Forbidding raises the IOVA
    /// alignment to PAGE_SIZE (EADDRINUSE if a mapping does not fit it; EINVAL once a domain has mappings).</summary>
    public void SetHugePages(bool enabled) =>
        Results.ThrowIfFailed(TrySetHugePages(enabled), nameof(Iommufd.IOMMU_OPTION));

    /// <summary>IOMMU_OPTION_HUGE_PAGES SET, returning the errno on failure.</summary>
    public Errno TrySetHugePages(bool enabled)
    {
        ulong value = enabled ? 1UL : 0UL;
        return Context.TryOption((uint)Iommufd.IOMMU_OPTION_HUGE_PAGES, (ushort)Iommufd.IOMMU_OPTION_OP_SET, Id.Value, ref value);
    }
}
