using System.Reflection;

namespace IommuFd.UapiGenerator.Testing;

/// <summary>One header as the bindings add it: where it is under <c>.uapi/</c>, and the
/// namespace and static class its declarations go to.</summary>
public sealed record UapiHeader(string RelativePath, string Namespace, string ClassName, string? IoctlMapPath = null)
{
    /// <summary>Absolute path of the header.</summary>
    public string FullPath => Path.Combine(UapiHeaders.Directory, RelativePath);

    /// <summary>The header's text; says how to get it when the headers were not fetched.</summary>
    public string ReadText()
    {
        if (!File.Exists(FullPath))
            throw new FileNotFoundException($"{FullPath} is missing: run scripts/fetch-uapi-headers.sh", FullPath);
        return File.ReadAllText(FullPath);
    }

    /// <summary>The generator input for this header: its text (read from disk when not given) and metadata.</summary>
    public HeaderInput Input(string? text = null) => new(FullPath, text ?? ReadText(), Namespace, ClassName, IoctlMap: IoctlMapPath);

    /// <inheritdoc/>
    public override string ToString() => System.IO.Path.GetFileName(RelativePath);
}

/// <summary>The Linux 6.12 headers fetched by scripts/fetch-uapi-headers.sh.</summary>
public static class UapiHeaders
{
    /// <summary>The <c>.uapi/</c> folder, from the build's <c>UapiHeadersDir</c>.</summary>
    public static string Directory { get; } =
        typeof(UapiHeaders).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "UapiHeadersDir").Value!;

    /// <summary>The repository root, from the build's <c>RepoRoot</c>.</summary>
    public static string RepoRoot { get; } =
        typeof(UapiHeaders).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "RepoRoot").Value!;

    /// <summary>The interop layer's map of ioctl argument types the headers do not state.</summary>
    public static string BindingsIoctlMap => Path.Combine(RepoRoot, "bindings", "IommuFd.Interop", "uapi-ioctl-map.txt");

    /// <summary>Where <c>&lt;linux/...&gt;</c> includes of the 6.12 headers resolve.</summary>
    public static string IncludeDir => Path.Combine(Directory, "include", "uapi");

    /// <summary>include/uapi/linux/iommufd.h.</summary>
    public static readonly UapiHeader Iommufd = new("include/uapi/linux/iommufd.h", "IommuFd.Interop", "Iommufd", BindingsIoctlMap);

    /// <summary>include/uapi/linux/vfio.h.</summary>
    public static readonly UapiHeader Vfio = new("include/uapi/linux/vfio.h", "IommuFd.Interop", "Vfio", BindingsIoctlMap);

    /// <summary>drivers/iommu/iommufd/iommufd_test.h (the selftest's IOMMU_TEST_CMD).</summary>
    public static readonly UapiHeader IommufdTest = new("drivers/iommu/iommufd/iommufd_test.h", "IommuFd.Interop", "IommufdTest", BindingsIoctlMap);

    /// <summary>include/uapi/linux/userfaultfd.h (the sample's header).</summary>
    public static readonly UapiHeader Userfaultfd = new("include/uapi/linux/userfaultfd.h", "Userfaultfd.Sample.Interop", "Uffd");

    /// <summary>The three headers the bindings generate.</summary>
    public static IReadOnlyList<UapiHeader> Bindings { get; } = [Iommufd, Vfio, IommufdTest];
}
