namespace IommuFd.UapiGenerator.Testing;

/// <summary>One additional file fed to the generator, with the item metadata the props file would
/// set. Null text: a file the compiler could not read.</summary>
public sealed record HeaderInput(string Path, string? Text, string? Namespace = "Test.Interop", string? ClassName = "Api",
    string? Filter = null, string? IoctlMap = null, string Kind = "Header")
{
    /// <summary>A header given as text, at a made-up path.</summary>
    public static HeaderInput Inline(string text, string path = "/virtual/test.h", string className = "Api", string? filter = null, string? ioctlMap = null) =>
        new(path, text, "Test.Interop", className, filter, ioctlMap);

    /// <summary>A header that <c>#include</c> finds but that is never generated itself.</summary>
    public static HeaderInput IncludeOnly(string path, string text) => new(path, text, null, null, null, null, "Include");

    /// <summary>An IoctlMap file.</summary>
    public static HeaderInput Map(string path, string text) => new(path, text, null, null, null, null, "IoctlMap");

    /// <summary>The <c>build_metadata.AdditionalFiles.*</c> values of this item.</summary>
    public IReadOnlyDictionary<string, string> Options()
    {
        var values = new Dictionary<string, string> { [GeneratorOptionKeys.Kind] = Kind };
        if (Namespace != null) values[GeneratorOptionKeys.Namespace] = Namespace;
        if (ClassName != null) values[GeneratorOptionKeys.ClassName] = ClassName;
        if (Filter != null) values[GeneratorOptionKeys.Filter] = Filter;
        if (IoctlMap != null) values[GeneratorOptionKeys.IoctlMap] = IoctlMap;
        return values;
    }
}
