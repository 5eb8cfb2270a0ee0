using System.Runtime.InteropServices;

namespace IommuFd.Bindings.Benchmarks.AgainstC;

/// <summary>The C loops of native/ioas_loop.c, built next to this assembly as libioasloop.so. Each
/// returns its elapsed nanoseconds, or -errno of the first call that failed.</summary>
internal static partial class NativeLoops
{
    private const string Library = "ioasloop";

    [LibraryImport(Library, EntryPoint = "ioas_loop_map")]
    public static partial long Map(int fd, uint ioas, ulong userVa, ulong length, ulong iova, int count);

    [LibraryImport(Library, EntryPoint = "ioas_loop_unmap")]
    public static partial long Unmap(int fd, uint ioas, ulong length, ulong iova, int count);

    [LibraryImport(Library, EntryPoint = "ioas_loop_copy")]
    public static partial long Copy(int fd, uint ioas, ulong sourceIova, ulong length, ulong iova, int count);
}
