namespace Fiemap.Sample;

/// <summary>One extent of a file as FS_IOC_FIEMAP reports it: where its bytes are in the file
/// (<paramref name="Logical"/>) and on the device (<paramref name="Physical"/>), how many, and the
/// FIEMAP_EXTENT_* flags.</summary>
public readonly record struct Extent(ulong Logical, ulong Physical, ulong Length, uint Flags)
{
    /// <summary>The file's last extent (FIEMAP_EXTENT_LAST).</summary>
    public bool IsLast => (Flags & Interop.FiemapUapi.FIEMAP_EXTENT_LAST) != 0;
}
