using System.Runtime.InteropServices;

namespace IommuFd.Bindings.Backends.Native;

// memfd_create and ftruncate: the files IOMMU_IOAS_MAP_FILE maps (MemFd).
internal static unsafe partial class LibC
{
    [LibraryImport(Library, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int memfd_create(string name, uint flags);

    [LibraryImport(Library, EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int ftruncate(int fd, long length);
}
