using System.Reflection;
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

    /// <summary>The catalog of the generated bindings: every static <c>Ioctls</c> table of the
    /// <c>IommuFd.Interop</c> namespace in the bindings assembly.</summary>
    public static IoctlCatalog Default { get; } = new(DiscoverGeneratedTables());

    /// <summary>All descriptors, in table order.</summary>
    public IEnumerable<IoctlDescriptor> All => _byName.Values;

    /// <summary>The descriptor of a C macro name such as <c>IOMMU_IOAS_MAP</c>, or null.</summary>
    public IoctlDescriptor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The descriptor of a request number, or null.</summary>
    public IoctlDescriptor? Find(uint request) => _byRequest.GetValueOrDefault(request);

    private static IEnumerable<IoctlDescriptor> DiscoverGeneratedTables()
    {
        Assembly bindings = typeof(Bindings.Backends.IIommuBackend).Assembly;
        string[] preferred = ["Iommufd", "Vfio", "IommufdTest"];
        IEnumerable<Type> tables = bindings.GetTypes()
            .Where(t => t.Namespace == "IommuFd.Interop" && t.IsClass)
            .OrderBy(t => Array.IndexOf(preferred, t.Name) is var i && i < 0 ? int.MaxValue : i)
            .ThenBy(t => t.Name, StringComparer.Ordinal);
        foreach (Type table in tables)
        {
            object? value = table.GetField("Ioctls", BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
                ?? table.GetProperty("Ioctls", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
            if (value is IEnumerable<IoctlDescriptor> descriptors)
                foreach (IoctlDescriptor descriptor in descriptors)
                    yield return descriptor;
        }
    }
}
