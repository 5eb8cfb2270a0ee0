using System.Diagnostics;
using IommuFd.Bindings.Backends;
using IommuFd.Interop;

namespace IommuFd.Bindings.Benchmarks.AgainstC;

/// <summary>
/// The same loop of one ioctl over <c>count</c> consecutive IOVAs, through each <see cref="CallPath"/>,
/// on one IOAS of the real kernel. Map fills [iova, +count·length); unmap empties it again; copy fills
/// it from one source mapping and is then unmapped outside the timed loop.
/// </summary>
internal sealed class LoopRunner(KernelBackend backend, Ioas ioas, ulong userVa, ulong length)
{
    private const ulong SourceIova = 1UL << 40, LoopIova = 1UL << 41;

    private readonly int _fd = ioas.Context.Handle.Fd;

    /// <summary>Maps the copy source once; the loops leave the IOAS as they found it.</summary>
    public void Prepare() => ioas.MapFixed(SourceIova, userVa, length);

    /// <summary>Runs <paramref name="op"/> <paramref name="count"/> times through <paramref name="path"/>;
    /// returns nanoseconds per call and managed bytes allocated per call.</summary>
    public (double Nanoseconds, double AllocatedBytes) Measure(CallPath path, Operation op, int count)
    {
        // Unmap needs mappings to remove: made here, untimed (map and copy are undone after timing).
        if (op == Operation.Unmap)
            Check(NativeLoops.Map(_fd, ioas.Id.Value, userVa, length, LoopIova, count), "untimed map");
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long elapsed;
        if (path == CallPath.C)
        {
            elapsed = Check(RunC(op, count), op.ToString()); // the C loop times itself
        }
        else
        {
            long start = Stopwatch.GetTimestamp();
            if (path == CallPath.RawWrappers) RunRawWrappers(op, count);
            else RunIdiomatic(op, count);
            elapsed = (long)Stopwatch.GetElapsedTime(start).TotalNanoseconds;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (op is Operation.Map or Operation.Copy)
            Check(NativeLoops.Unmap(_fd, ioas.Id.Value, length, LoopIova, count), "untimed unmap");
        return ((double)elapsed / count, path == CallPath.C ? 0 : (double)allocated / count);
    }

    private long RunC(Operation op, int count) => op switch
    {
        Operation.Map => NativeLoops.Map(_fd, ioas.Id.Value, userVa, length, LoopIova, count),
        Operation.Unmap => NativeLoops.Unmap(_fd, ioas.Id.Value, length, LoopIova, count),
        _ => NativeLoops.Copy(_fd, ioas.Id.Value, SourceIova, length, LoopIova, count),
    };

    private void RunRawWrappers(Operation op, int count)
    {
        const uint Flags = (uint)(Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE);
        uint id = ioas.Id.Value;
        for (int i = 0; i < count; i++)
        {
            ulong iova = LoopIova + (ulong)i * length;
            int rc;
            switch (op)
            {
                case Operation.Map:
                    var map = new iommu_ioas_map { flags = Flags, ioas_id = id, user_va = userVa, length = length, iova = iova };
                    rc = IommufdIoctls.IOMMU_IOAS_MAP(backend, _fd, ref map);
                    break;
                case Operation.Unmap:
                    var unmap = new iommu_ioas_unmap { ioas_id = id, iova = iova, length = length };
                    rc = IommufdIoctls.IOMMU_IOAS_UNMAP(backend, _fd, ref unmap);
                    break;
                default:
                    var copy = new iommu_ioas_copy { flags = Flags, dst_ioas_id = id, src_ioas_id = id, length = length, dst_iova = iova, src_iova = SourceIova };
                    rc = IommufdIoctls.IOMMU_IOAS_COPY(backend, _fd, ref copy);
                    break;
            }
            if (rc < 0)
                Check(rc, op.ToString()); // the message only on failure: formatting it allocates
        }
    }

    private void RunIdiomatic(Operation op, int count)
    {
        for (int i = 0; i < count; i++)
        {
            ulong iova = LoopIova + (ulong)i * length;
            switch (op)
            {
                case Operation.Map: ioas.MapFixed(iova, userVa, length); break;
                case Operation.Unmap: ioas.Unmap(iova, length); break;
                default: ioas.CopyFromFixed(ioas.Id, SourceIova, iova, length); break;
            }
        }
    }

    private static long Check(long result, string what) =>
        result >= 0 ? result : throw new InvalidOperationException($"{what} failed: errno {-result}");
}
