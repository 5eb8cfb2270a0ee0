using IommuFd.Interop;
using IommuFd.Uapi;

namespace IommuFd.Conformance;

/// <summary>Every ioctl a trace may name, by C macro name, from the generated tables
/// (<c>Iommufd.Ioctls</c>, <c>Vfio.Ioctls</c>, <c>IommufdTest.Ioctls</c>).</summary>
public sealed class IoctlCatalog
{
    private readonly Dictionary<string, IoctlDescriptor> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, IoctlDescriptor> _byRequest = new();

    /// <summary>Creates a catalog from descriptor tables; a later table does not replace an earlier name.</summary>
    public IoctlCatalog(IEnumerable<IoctlDescriptor> descriptors)
    {
        foreach (IoctlDescriptor descriptor in descriptors)
        {
            _byName.TryAdd(descriptor.Name, descriptor);
            _byRequest.TryAdd(descriptor.Request, descriptor);
        }
    }

    /// <summary>The catalog of the generated bindings: <c>Iommufd.Ioctls</c>, <c>Vfio.Ioctls</c>,
    /// <c>IommufdTest.Ioctls</c>, in that order, then the newest kernel's iommufd.h
    /// (<c>IommuFd.Interop.Stable.Iommufd.Ioctls</c>) for the ioctls 6.12 lacks (IOMMU_IOAS_MAP_FILE ...).</summary>
    public static IoctlCatalog Default { get; } =
        new(Iommufd.Ioctls.Concat(Vfio.Ioctls).Concat(IommufdTest.Ioctls).Concat(IommuFd.Interop.Stable.Iommufd.Ioctls));

    /// <summary>All descriptors, in table order.</summary>
    public IEnumerable<IoctlDescriptor> All => _byName.Values;

    /// <summary>The descriptor of a C macro name such as <c>IOMMU_IOAS_MAP</c>, or null.</summary>
    public IoctlDescriptor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The descriptor of a request number, or null.</summary>
    public IoctlDescriptor? Find(uint request) => _byRequest.GetValueOrDefault(request);
}
