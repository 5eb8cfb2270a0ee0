namespace IommuFd.UapiGenerator.Testing;

/// <summary>The analyzer-config keys MSBuild produces from the generator's build props
/// (CompilerVisibleProperty / CompilerVisibleItemMetadata), which the harness imitates.</summary>
public static class GeneratorOptionKeys
{
    /// <summary>build_property.UapiTargetProfile: x86_64, aarch64, ppc64le, ...</summary>
    public const string TargetProfile = "build_property.UapiTargetProfile";

    /// <summary>build_property.UapiVisibility: public (default) or internal.</summary>
    public const string Visibility = "build_property.UapiVisibility";

    /// <summary>Per-header namespace.</summary>
    public const string Namespace = "build_metadata.AdditionalFiles.UapiNamespace";

    /// <summary>Per-header static class name.</summary>
    public const string ClassName = "build_metadata.AdditionalFiles.UapiClassName";

    /// <summary>Per-header name prefixes (';'-separated) of the declarations to generate.</summary>
    public const string Filter = "build_metadata.AdditionalFiles.UapiFilter";

    /// <summary>Per-header path of its IoctlMap file (also an AdditionalFile, of kind <c>IoctlMap</c>).</summary>
    public const string IoctlMap = "build_metadata.AdditionalFiles.UapiIoctlMap";

    /// <summary>Marks an AdditionalFile as a uAPI header (<c>Header</c>), an include-only header
    /// (<c>Include</c>) or an ioctl map (<c>IoctlMap</c>).</summary>
    public const string Kind = "build_metadata.AdditionalFiles.UapiKind";
}
