using Fiemap.Sample.Interop;
using IommuFd.Uapi;
using Microsoft.Win32.SafeHandles;

namespace Fiemap.Sample;

/// <summary>Where a file's data lies on its device, from FS_IOC_FIEMAP (linux/fs.h) with the
/// variable-length struct fiemap (linux/fiemap.h), and the inode's extended attributes from
/// FS_IOC_FSGETXATTR (a generated wrapper). Every ioctl goes through LibcIoctlTarget.</summary>
public static unsafe class FileExtents
{
    /// <summary>FS_IOC_FIEMAP, _IOWR('f', 11, struct fiemap): linux/fs.h defines it without
    /// including linux/fiemap.h, so the generator cannot size it there (the macro is not
    /// generated); it is encoded here from the generated struct, as x86_64 and arm64 encode it.</summary>
    internal static readonly uint FsIocFiemap = Ioc.IOWR(IocEncoding.Generic, 'f', 11, (uint)sizeof(fiemap));

    /// <summary>The extents of <paramref name="file"/> (at most <paramref name="maxExtents"/>),
    /// after flushing its dirty data so that every extent is allocated.</summary>
    public static IReadOnlyList<Extent> Map(SafeFileHandle file, int maxExtents = 64)
    {
        byte[] buffer = new byte[fiemap.SizeOf(maxExtents)];
        ref fiemap request = ref fiemap.FromBuffer(buffer);
        request.fm_start = 0;
        request.fm_length = FiemapUapi.FIEMAP_MAX_OFFSET;
        request.fm_flags = FiemapUapi.FIEMAP_FLAG_SYNC;
        request.fm_extent_count = (uint)maxExtents;

        int result;
        fixed (byte* pinned = buffer)
        {
            nint argument = (nint)pinned;
            result = LibcIoctlTarget.Invoke(file, fd => default(LibcIoctlTarget).Ioctl(fd, FsIocFiemap, (void*)argument));
        }
        if (result < 0) throw new IOException($"FS_IOC_FIEMAP failed: errno {-result}", -result);

        Span<fiemap_extent> extents = fiemap.fm_extents(buffer, (int)request.fm_mapped_extents);
        var list = new List<Extent>(extents.Length);
        foreach (ref readonly fiemap_extent e in extents)
            list.Add(new Extent(e.fe_logical, e.fe_physical, e.fe_length, e.fe_flags));
        return list;
    }

    /// <summary>The inode's struct fsxattr: its FS_XFLAG_* flags, extent size hint and project id.</summary>
    public static InodeAttributes Attributes(SafeFileHandle file)
    {
        fsxattr attributes = default;
        int result = LibcIoctlTarget.Invoke(file, fd => FsIoctls.FS_IOC_FSGETXATTR(default(LibcIoctlTarget), fd, ref attributes));
        if (result < 0) throw new IOException($"FS_IOC_FSGETXATTR failed: errno {-result}", -result);
        return new InodeAttributes(attributes.fsx_xflags, attributes.fsx_extsize, attributes.fsx_projid);
    }
}
