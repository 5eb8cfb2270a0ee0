using IommuFd.UapiGenerator.Model;

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
        var result = Compile(GeneratorHarness.Inline(text, filter: filter), profile: profile);
        Assert.That(result.Model, Is.Not.Null, () => string.Join("\n", result.Diagnostics.Select(d => d.Id + " " + string.Join(",", d.Arguments))));
        return result.Model!;
    }

    public static UapiFile ToFile(HeaderInput i) =>
        new(i.Path, i.Text ?? "", i.Kind == "Header", i.Namespace, i.ClassName, i.Filter, i.IoctlMap, i.Text != null);

    /// <summary>The three 6.12 headers compiled as the bindings project does.</summary>
    public static (HeaderModel Iommufd, HeaderModel Vfio, HeaderModel Test) RealHeaders(string? profile = null)
    {
        var map = HeaderInput.Map(Path.Combine(RepoPaths.Root, "bindings", "IommuFd.Bindings", "uapi-ioctl-map.txt"),
            File.ReadAllText(Path.Combine(RepoPaths.Root, "bindings", "IommuFd.Bindings", "uapi-ioctl-map.txt")));
        var iommufd = HeaderInput.FromRepo(RepoPaths.IommufdH, "Iommufd", map.Path);
        var vfio = HeaderInput.FromRepo(RepoPaths.VfioH, "Vfio", map.Path);
        var test = HeaderInput.FromRepo(RepoPaths.IommufdTestH, "IommufdTest", map.Path);
        var all = new[] { iommufd, vfio, test, map };
        HeaderModel One(HeaderInput h)
        {
            var r = Compile(h, all, profile);
            Assert.That(r.Model, Is.Not.Null);
            return r.Model!;
        }
        return (One(iommufd), One(vfio), One(test));
    }
}
