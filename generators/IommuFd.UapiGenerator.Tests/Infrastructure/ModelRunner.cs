using IommuFd.UapiGenerator.Model;
using IommuFd.UapiGenerator.Testing;

namespace IommuFd.UapiGenerator.Tests.Infrastructure;

/// <summary>Compiles headers straight to models (no Roslyn driver): for parser, layout and value tests.</summary>
internal static class ModelRunner
{
    public static CompileResult Compile(HeaderInput main, IEnumerable<HeaderInput>? library = null, string? profile = null)
    {
        var files = new List<UapiFile> { ToFile(main) };
        if (library != null) files.AddRange(library.Select(ToFile));
        return HeaderCompiler.Compile(files[0], files, profile);
    }

    public static HeaderModel Model(string text, string? profile = null, string? filter = null)
    {
        var result = Compile(HeaderInput.Inline(text, filter: filter), profile: profile);
        Assert.That(result.Model, Is.Not.Null, () => string.Join("\n", result.Diagnostics.Select(d => d.Id + " " + string.Join(",", d.Arguments))));
        return result.Model!;
    }

    public static UapiFile ToFile(HeaderInput i) =>
        new(i.Path, i.Text ?? "", i.Kind == "Header", i.Namespace, i.ClassName, i.Filter, i.IoctlMap, i.Text != null);

    /// <summary>The bindings' three headers compiled as the bindings project does.</summary>
    public static (HeaderModel Iommufd, HeaderModel Vfio, HeaderModel Test) RealHeaders(string? profile = null)
    {
        var map = HeaderInput.Map(UapiHeaders.BindingsIoctlMap, File.ReadAllText(UapiHeaders.BindingsIoctlMap));
        var headers = UapiHeaders.Bindings.Select(h => h.Input()).ToList();
        var all = headers.Append(map).ToList();
        HeaderModel One(HeaderInput h)
        {
            var r = Compile(h, all, profile);
            Assert.That(r.Model, Is.Not.Null);
            return r.Model!;
        }
        return (One(headers[0]), One(headers[1]), One(headers[2]));
    }
}
