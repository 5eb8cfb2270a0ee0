using System.Runtime.CompilerServices;
using IommuFd.Engine;
using IommuFd.Interop;

namespace IommuFd.Engine.Tests;

/// <summary>Small helpers that issue iommufd calls with structs on the stack.</summary>
internal static unsafe class Calls
{
    public const int ENOENT = 2, E2BIG = 7, EBADF = 9, EFAULT = 14, EBUSY = 16, EEXIST = 17, ENODEV = 19,
        EINVAL = 22, ENOTTY = 25, ENOSPC = 28, EOVERFLOW = 75, EMSGSIZE = 90, EOPNOTSUPP = 95, EADDRINUSE = 98, EPERM = 1;

    public static int Call<T>(EngineBackend engine, int fd, uint request, ref T arg) where T : unmanaged
    {
        fixed (T* p = &arg)
            return engine.Ioctl(fd, request, p);
    }

    public static uint Size<T>() where T : unmanaged => (uint)Unsafe.SizeOf<T>();

    public static uint AllocIoas(EngineBackend engine, int fd)
    {
        var cmd = new iommu_ioas_alloc { size = Size<iommu_ioas_alloc>() };
        int rc = Call(engine, fd, Iommufd.IOMMU_IOAS_ALLOC, ref cmd);
        if (rc != 0) throw new InvalidOperationException($"IOAS_ALLOC {rc}");
        return cmd.out_ioas_id;
    }

    public static int Map(EngineBackend engine, int fd, uint ioas, ulong userVa, ulong length, ref ulong iova, bool fixedIova, bool write = true)
    {
        var cmd = new iommu_ioas_map
        {
            size = Size<iommu_ioas_map>(),
            flags = (uint)(Iommufd.IOMMU_IOAS_MAP_READABLE | (write ? Iommufd.IOMMU_IOAS_MAP_WRITEABLE : 0) | (fixedIova ? Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA : 0)),
            ioas_id = ioas,
            user_va = userVa,
            length = length,
            iova = iova,
        };
        int rc = Call(engine, fd, Iommufd.IOMMU_IOAS_MAP, ref cmd);
        iova = cmd.iova;
        return rc;
    }

    public static int Unmap(EngineBackend engine, int fd, uint ioas, ulong iova, ref ulong length)
    {
        var cmd = new iommu_ioas_unmap { size = Size<iommu_ioas_unmap>(), ioas_id = ioas, iova = iova, length = length };
        int rc = Call(engine, fd, Iommufd.IOMMU_IOAS_UNMAP, ref cmd);
        length = cmd.length;
        return rc;
    }

    public static int Copy(EngineBackend engine, int fd, uint dst, uint src, ulong srcIova, ulong length, ref ulong dstIova, bool fixedIova, bool write = true)
    {
        var cmd = new iommu_ioas_copy
        {
            size = Size<iommu_ioas_copy>(),
            flags = (uint)(Iommufd.IOMMU_IOAS_MAP_READABLE | (write ? Iommufd.IOMMU_IOAS_MAP_WRITEABLE : 0) | (fixedIova ? Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA : 0)),
            dst_ioas_id = dst,
            src_ioas_id = src,
            length = length,
            dst_iova = dstIova,
            src_iova = srcIova,
        };
        int rc = Call(engine, fd, Iommufd.IOMMU_IOAS_COPY, ref cmd);
        dstIova = cmd.dst_iova;
        return rc;
    }

    public static int Destroy(EngineBackend engine, int fd, uint id)
    {
        var cmd = new iommu_destroy { size = Size<iommu_destroy>(), id = id };
        return Call(engine, fd, Iommufd.IOMMU_DESTROY, ref cmd);
    }
}
