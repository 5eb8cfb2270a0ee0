namespace IommuFd.Uapi;

/// <summary>The C name a generated type, field, constant or ioctl came from, e.g.
/// <c>struct iommu_ioas_map</c>, <c>iova</c>, <c>IOMMU_IOAS_MAP</c>.</summary>
[AttributeUsage(AttributeTargets.Struct | AttributeTargets.Enum | AttributeTargets.Field |
                AttributeTargets.Property | AttributeTargets.Method | AttributeTargets.Class,
                AllowMultiple = false, Inherited = false)]
public sealed class CNameAttribute(string name) : Attribute
{
    /// <summary>The declaration's name as written in C, with <c>struct</c>/<c>union</c>/<c>enum</c> for tags.</summary>
    public string Name { get; } = name;
}
