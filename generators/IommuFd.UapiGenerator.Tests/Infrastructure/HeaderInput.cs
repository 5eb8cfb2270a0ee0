using System.Collections.Immutable;

namespace IommuFd.UapiGenerator.Tests.Infrastructure;

/// <summary>One additional file fed to the generator, with the metadata the props file would set.</summary>
internal sealed record HeaderInput(string Path, string? Text, string? Namespace = "Test.Interop", string? ClassName = "Api",
    string? Filter = null, string? IoctlMap = null, string Kind = "Header")
{
    public static HeaderInput FromRepo(string relative, string className, string? ioctlMap = null)
    {
        var path = RepoPaths.Header(relative);
        return new HeaderInput(path, File.ReadAllText(path), "IommuFd.Interop", className, IoctlMap: ioctlMap);
    }

    public static HeaderInput Map(string path, string text) => new(path, text, null, null, null, null, "IoctlMap");

    public TestOptions Options()
    {
        var values = ImmutableDictionary.CreateBuilder<string, string>();
        values["build_metadata.AdditionalFiles.UapiKind"] = Kind;
        if (Namespace != null) values["build_metadata.AdditionalFiles.UapiNamespace"] = Namespace;
        if (ClassName != null) values["build_metadata.AdditionalFiles.UapiClassName"] = ClassName;
        if (Filter != null) values["build_metadata.AdditionalFiles.UapiFilter"] = Filter;
        if (IoctlMap != null) values["build_metadata.AdditionalFiles.UapiIoctlMap"] = IoctlMap;
        return new TestOptions(values.ToImmutable());
    }
}
